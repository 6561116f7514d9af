import type { Kysely } from 'kysely';
import { cols } from './columns.ts';

/**
 * A record of side effects by idempotency key (a mail sent for a job, an audit entry a job
 * writes), so that a job run again after a crash finds what its earlier run did and does not do
 * it twice. The key is the primary key: recording is one insert that a second one cannot repeat.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema
    .createTable('side_effects')
    .addColumn('key', c.text, (col) => col.primaryKey())
    .addColumn('status', c.text, (col) => col.notNull())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .execute();
  // Retention deletes by age.
  await db.schema.createIndex('side_effects_created_idx').on('side_effects').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('side_effects').execute();
}
