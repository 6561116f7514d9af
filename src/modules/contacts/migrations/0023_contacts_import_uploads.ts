import type { Kysely } from 'kysely';
import { cols } from '../../../db/migrations/columns.ts';

/**
 * Imports run as jobs (issue 12 point 3): the uploaded file waits in `import_uploads` until its
 * job has read it, and the lines the job rejected are kept in `import_rejects` for the one who
 * started it to fetch. The file is the decoded text as UTF-8 bytes (binary: a file may hold a NUL,
 * which PostgreSQL's text cannot), deleted when the job ends.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema
    .createTable('import_uploads')
    .addColumn('job_id', c.text, (col) => col.primaryKey())
    .addColumn('content', c.dialect === 'postgres' ? 'bytea' : 'blob', (col) => col.notNull())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .execute();
  // Retention deletes by age.
  await db.schema.createIndex('import_uploads_created_idx').on('import_uploads').column('created_at').execute();
  await db.schema
    .createTable('import_rejects')
    .addColumn('job_id', c.text, (col) => col.notNull())
    .addColumn('line', c.int, (col) => col.notNull())
    .addColumn('reason', c.text, (col) => col.notNull())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addPrimaryKeyConstraint('import_rejects_pk', ['job_id', 'line'])
    .execute();
  await db.schema.createIndex('import_rejects_created_idx').on('import_rejects').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_rejects').execute();
  await db.schema.dropTable('import_uploads').execute();
}
