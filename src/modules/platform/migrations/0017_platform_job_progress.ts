import type { Kysely } from 'kysely';
import { cols } from '../../../db/migrations/columns.ts';

/**
 * The progress of jobs someone waits on (bulk actions, imports): one row per tracked job, written
 * by the worker that runs it and read by any process. The cursor moves in the same transaction as
 * the work it covers, so a job run again after a crash resumes after it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema
    .createTable('job_progress')
    .addColumn('job_id', c.text, (col) => col.primaryKey())
    .addColumn('owner_role', c.text, (col) => col.notNull())
    .addColumn('owner_type', c.text, (col) => col.notNull())
    .addColumn('owner_id', c.text)
    .addColumn('done', c.int, (col) => col.notNull())
    .addColumn('total', c.int, (col) => col.notNull())
    .addColumn('cursor', c.text)
    .addColumn('result', c.json)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .execute();
  // Retention deletes by age.
  await db.schema.createIndex('job_progress_updated_idx').on('job_progress').column('updated_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_progress').execute();
}
