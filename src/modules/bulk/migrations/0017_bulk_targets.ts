import type { Kysely } from 'kysely';
import { cols } from '../../../db/migrations/columns.ts';

/**
 * The contacts a bulk job covers, named by id, one row each: kept out of the job's payload
 * (free text to the erasure's residue scan, kept for weeks), so that erasing one of them, by the
 * job itself or later, erases its row here with the rest of the person.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema
    .createTable('bulk_targets')
    .addColumn('job_id', c.text, (col) => col.notNull())
    .addColumn('contact_id', c.text, (col) => col.notNull())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addPrimaryKeyConstraint('bulk_targets_pk', ['job_id', 'contact_id'])
    .execute();
  // Erasure deletes a person's rows; retention deletes by age.
  await db.schema.createIndex('bulk_targets_contact_idx').on('bulk_targets').column('contact_id').execute();
  await db.schema.createIndex('bulk_targets_created_idx').on('bulk_targets').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bulk_targets').execute();
}
