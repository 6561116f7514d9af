import type { Kysely } from 'kysely';
import { cols } from './columns.ts';

/*
 * Where an erasure's storage purge stands. On PostgreSQL the rewrite of the relations that held
 * the person (their partitions, and the small tables touched) runs later, batched across
 * erasures by the job queue; until it has, the receipt says `pending`. On SQLite it is done
 * when the erasure is (secure_delete and a checkpoint) and the receipt says so at once.
 *
 * - erasure_receipts.storage_status: pending | purged | failed; storage_purged_at; and
 *   storage_verification: what was checked and how (the rewrite, and the pages read back).
 * - storage_purges: one row per receipt and relation to rewrite, due when its batch runs.
 * - storage_purge_terms: keyed fingerprints of the person's identifiers (under the installation
 *   secret, like a suppression's hash), so the purge can look for them in the rewritten pages;
 *   deleted once the receipt's purge is done.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema.alterTable('erasure_receipts').addColumn('storage_status', c.text).execute();
  await db.schema.alterTable('erasure_receipts').addColumn('storage_purged_at', c.ts).execute();
  await db.schema.alterTable('erasure_receipts').addColumn('storage_verification', c.text).execute();

  await db.schema
    .createTable('storage_purges')
    .addColumn('receipt_id', c.text, (col) => col.notNull())
    .addColumn('relation', c.text, (col) => col.notNull())
    .addColumn('due_at', c.ts, (col) => col.notNull())
    .addColumn('done_at', c.ts)
    .addColumn('outcome', c.text)
    .addPrimaryKeyConstraint('storage_purges_pk', ['receipt_id', 'relation'])
    .execute();
  await db.schema.createIndex('storage_purges_relation_idx').on('storage_purges').columns(['relation', 'done_at']).execute();

  await db.schema
    .createTable('storage_purge_terms')
    .addColumn('receipt_id', c.text, (col) => col.notNull())
    .addColumn('length', c.int, (col) => col.notNull())
    .addColumn('prefilter', c.int, (col) => col.notNull())
    .addColumn('digest', c.text, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('storage_purge_terms_receipt_idx').on('storage_purge_terms').column('receipt_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('storage_purge_terms').execute();
  await db.schema.dropTable('storage_purges').execute();
  for (const col of ['storage_verification', 'storage_purged_at', 'storage_status'])
    await db.schema.alterTable('erasure_receipts').dropColumn(col).execute();
}
