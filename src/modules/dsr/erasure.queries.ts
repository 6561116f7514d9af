import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { dialectOf, inList } from '../../db/in-list.ts';
import type { ErasureReceiptsTable } from './dsr.table.ts';
import type { TablePlan } from './erasure.model.ts';

type Q = Kysely<Database>;

/** Receipts per insert: 7 columns each, well under SQLite's 32,766 variables. */
const RECEIPTS_PER_INSERT = 1000;

/**
 * Erases one table's rows of a batch of people in one statement: the rows go, or their
 * personal columns are cleared. Table and column names come from the data map, so the
 * statement is built on an untyped handle. The ids and addresses travel as one parameter
 * each (inList): a batch, or the addresses an erasure names, can be any size.
 */
export async function eraseRows(trx: Q, plan: TablePlan, contactIds: string[], emails: string[]): Promise<number> {
  const db = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const byLink = plan.link.kind === 'email' ? emails : contactIds;
  const refs = contactIds.length ? plan.contactRefs : [];
  if (byLink.length === 0 && refs.length === 0) return 0;
  const d = dialectOf(trx);
  const where = (eb: ExpressionBuilder<Record<string, Record<string, unknown>>, string>) =>
    eb.or([...(byLink.length ? [inList(d, sql.ref(plan.link.column), byLink)] : []), ...refs.map((c) => inList(d, sql.ref(c), contactIds))]);
  if (plan.action === 'delete') {
    const r = await db.deleteFrom(plan.table).where(where).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
  const r = await db
    .updateTable(plan.table)
    .set(Object.fromEntries(plan.nullColumns.map((c) => [c, null])))
    .where(where)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The addresses of cases, read before their erasure clears them. */
export async function requestEmails(db: Q, requestIds: string[]): Promise<string[]> {
  if (requestIds.length === 0) return [];
  const rows = await db.selectFrom('requests').select('email').where(inList(dialectOf(db), sql.ref('id'), requestIds)).execute();
  return rows.map((r) => r.email).filter((e): e is string => e !== null);
}

/** A receipt per case: an erasure answering many cases writes them in parts. */
export async function insertReceipts(db: Q, rows: ErasureReceiptsTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += RECEIPTS_PER_INSERT) await db.insertInto('erasure_receipts').values(rows.slice(i, i + RECEIPTS_PER_INSERT)).execute();
}

export async function setReceiptResidue(db: Q, ids: string[], residue: string[]): Promise<void> {
  if (ids.length) await db.updateTable('erasure_receipts').set({ residue: JSON.stringify(residue) }).where(inList(dialectOf(db), sql.ref('id'), ids)).execute();
}

/** Flags cases whose erasure left residue; the detail names tables and columns, never values. */
export async function flagRequests(db: Q, requestIds: string[], detail: string, now: string): Promise<void> {
  if (requestIds.length) await db.updateTable('requests').set({ flagged: 1, flag_detail: detail, updated_at: now }).where(inList(dialectOf(db), sql.ref('id'), requestIds)).execute();
}

export const receiptById = (db: Q, id: string) => db.selectFrom('erasure_receipts').selectAll().where('id', '=', id).executeTakeFirst();

/** Newest first; `before` is the last id of the previous page (ids are time-ordered). */
export function listReceipts(db: Q, limit: number, before?: string, requestId?: string) {
  let q = db.selectFrom('erasure_receipts').selectAll();
  if (before) q = q.where('id', '<', before);
  if (requestId) q = q.where('request_id', '=', requestId);
  return q.orderBy('id', 'desc').limit(limit).execute();
}
