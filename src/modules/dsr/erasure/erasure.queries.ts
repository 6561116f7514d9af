import { countOrEstimate } from '../../../db/estimate.ts';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../../../db/connect.ts';
import type { Database } from '../../database.ts';
import { writtenForms } from '../../../db/email-match.ts';
import { dialectOf, inList } from '../../../db/in-list.ts';
import type { DataMap, SubjectLink, TableDecl } from '../../datamap/module.ts';
import type { ErasureReceiptsTable, TasksTable } from '../dsr.table.ts';
import { chunks } from '../../../lib/chunks.ts';
import { CONTACT_REF, type TablePlan } from './erasure.model.ts';
import { likeEscape } from '../residue/residue.model.ts';

type Q = Kysely<Database>;
type Untyped = Kysely<Record<string, Record<string, unknown>>>;
type UntypedEb = ExpressionBuilder<Record<string, Record<string, unknown>>, string>;

/**
 * The rows of a table linked to a batch of people: by the subject link (contact id or
 * address), and for a table linked by address also by its other contact-id columns. The one
 * place that says which rows are a person's; erasure, redaction and case closing all use it.
 */
export function linkedRows(
  d: Dialect,
  link: SubjectLink,
  contactRefs: string[],
  contactIds: string[],
  emails: string[],
): RawBuilder<SqlBool> {
  const byLink = link.kind === 'email' ? emails : contactIds;
  const refs = contactIds.length ? contactRefs : [];
  // Ids and addresses travel as one parameter each (inList): a batch can be any size.
  const parts = [
    ...(byLink.length ? [inList(d, sql.ref(link.column), byLink)] : []),
    ...refs.map((c) => inList(d, sql.ref(c), contactIds)),
  ];
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` or `)})` : sql<SqlBool>`(1 = 0)`;
}

/** A table's other contact-id columns, when it is linked by address. */
export function contactRefsOf(t: TableDecl): string[] {
  return t.subjectLink?.kind === 'email'
    ? t.columns.filter((c) => c.category === CONTACT_REF && c.name !== t.subjectLink!.column).map((c) => c.name)
    : [];
}

/**
 * The rows that are the people's own: linked to them, or part of a row that is (a case's
 * history events, a case's tasks).
 */
export function ownRows(
  eb: UntypedEb,
  d: Dialect,
  t: TableDecl,
  map: DataMap,
  contactIds: string[],
  emails: string[],
): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [];
  if (t.subjectLink) parts.push(linkedRows(d, t.subjectLink, contactRefsOf(t), contactIds, emails));
  const parent = t.partOf ? map.tables.find((p) => p.name === t.partOf!.table) : undefined;
  if (t.partOf && parent?.subjectLink) {
    const parentLink = parent.subjectLink;
    parts.push(
      eb(
        eb.ref(t.partOf.column),
        'in',
        (eb as unknown as ExpressionBuilder<Record<string, Record<string, unknown>>, never>)
          .selectFrom(parent.name)
          .select('id')
          .where(linkedRows(d, parentLink, contactRefsOf(parent), contactIds, emails)),
      ),
    );
  }
  return eb.or(parts);
}

/**
 * The forms in which the address-linked tables hold these addresses' keys (whatever the case
 * each row wrote them in), with `known` (the forms at hand). Every address-linked statement of an
 * erasure then matches these exactly: one resolution, read in the erasure's transaction.
 */
export async function writtenAddresses(trx: Q, map: DataMap, keys: string[], known: string[]): Promise<string[]> {
  const out = new Set(known);
  if (keys.length === 0) return [...out];
  for (const t of map.tables)
    if (t.subjectLink?.kind === 'email') for (const v of await writtenForms(trx, t.name, t.subjectLink.column, keys)) out.add(v);
  return [...out];
}

/** Receipts per insert: 10 columns each, well under SQLite's 32,766 variables. */
const RECEIPTS_PER_INSERT = 1000;

/**
 * Erases one table's rows of a batch of people in one statement: the rows go, or their
 * personal columns are cleared. Table and column names come from the data map, so the
 * statement is built on an untyped handle. The ids and addresses travel as one parameter
 * each (inList): a batch, or the addresses an erasure names, can be any size.
 */
export async function eraseRows(trx: Q, plan: TablePlan, contactIds: string[], emails: string[]): Promise<number> {
  const db = trx as unknown as Untyped;
  const byLink = plan.link.kind === 'email' ? emails : contactIds;
  const refs = contactIds.length ? plan.contactRefs : [];
  if (byLink.length === 0 && refs.length === 0) return 0;
  const d = dialectOf(trx);
  const where = () => linkedRows(d, plan.link, plan.contactRefs, contactIds, emails);
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
  const rows = await db
    .selectFrom('requests')
    .select('email')
    .where(inList(dialectOf(db), sql.ref('id'), requestIds))
    .execute();
  return rows.map((r) => r.email).filter((e): e is string => e !== null);
}

/** A receipt per case: an erasure answering many cases writes them in parts. */
export async function insertReceipts(db: Q, rows: ErasureReceiptsTable[]): Promise<void> {
  for (const part of chunks(rows, RECEIPTS_PER_INSERT)) await db.insertInto('erasure_receipts').values(part).execute();
}

export async function setReceiptResidue(db: Q, ids: string[], residue: string[]): Promise<void> {
  if (ids.length)
    await db
      .updateTable('erasure_receipts')
      .set({ residue: JSON.stringify(residue) })
      .where(inList(dialectOf(db), sql.ref('id'), ids))
      .execute();
}

/** Flags cases whose erasure left residue; the detail names tables and columns, never values. */
export async function flagRequests(db: Q, requestIds: string[], detail: string, now: string): Promise<void> {
  if (requestIds.length)
    await db
      .updateTable('requests')
      .set({ flagged: 1, flag_detail: detail, updated_at: now })
      .where(inList(dialectOf(db), sql.ref('id'), requestIds))
      .execute();
}

export const receiptById = (db: Q, id: string) => db.selectFrom('erasure_receipts').selectAll().where('id', '=', id).executeTakeFirst();

/** Newest first; `before` is the last id of the previous page (ids are time-ordered). */
export function listReceipts(db: Q, limit: number, before?: string, requestId?: string) {
  let q = db.selectFrom('erasure_receipts').selectAll();
  if (before) q = q.where('id', '<', before);
  if (requestId) q = q.where('request_id', '=', requestId);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/** The receipt listing's total (counted for one case, estimated for all of a large table on PostgreSQL). */
export function countReceipts(db: Q, requestId?: string) {
  return countOrEstimate(db, 'erasure_receipts', requestId !== undefined, async () => {
    let q = db.selectFrom('erasure_receipts');
    if (requestId) q = q.where('request_id', '=', requestId);
    return Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  });
}

// ------------------------------------------------------------------ free text and residue follow-up

/** The people's own rows of a table: their key and the named columns, read to be redacted. */
export async function ownRowValues(
  trx: Q,
  t: TableDecl,
  map: DataMap,
  key: string,
  columns: string[],
  contactIds: string[],
  emails: string[],
): Promise<Record<string, unknown>[]> {
  if (contactIds.length === 0 && emails.length === 0) return [];
  const db = trx as unknown as Untyped;
  const extra = t.partOf ? [t.partOf.column] : [];
  return db
    .selectFrom(t.name)
    .select([...new Set([key, ...extra, ...columns])])
    .where((eb) => ownRows(eb, dialectOf(trx), t, map, contactIds, emails))
    .execute();
}

/** Writes redacted values of one row, found by its key. */
export async function setRowValues(trx: Q, table: string, key: string, keyValue: unknown, values: Record<string, string>): Promise<void> {
  await (trx as unknown as Untyped).updateTable(table).set(values).where(key, '=', keyValue).execute();
}

/** The value of one column as text, whatever its stored type. */
function asText(dialect: Dialect, column: string): RawBuilder<string> {
  return dialect === 'sqlite' ? sql<string>`cast(${sql.ref(column)} as text)` : sql<string>`(${sql.ref(column)})::text collate "C"`;
}

/** Most patterns a prefilter puts in one statement; more, and the column is read whole. */
export const PREFILTER_MAX = 200;
const PAGE = 2000;

/**
 * A column's values page by page (with the row key, or, for a table without one, its distinct
 * values), keeping only values that contain one of `texts` in any ASCII casing or the digits
 * of one of `digits` in order, when given. The caller confirms each candidate in memory; values
 * are never written anywhere.
 */
export async function* columnValues(
  db: Q,
  dialect: Dialect,
  table: string,
  column: string,
  key: string | null,
  prefilter: { texts: string[]; digits: string[] } | null,
): AsyncGenerator<{ key: string | null; value: string }[]> {
  const v = asText(dialect, column);
  const patterns = prefilter
    ? [...prefilter.texts.map((t) => `%${likeEscape(t)}%`), ...prefilter.digits.map((d) => `%${d.split('').join('%')}%`)]
    : [];
  const filter =
    patterns.length === 0
      ? sql`true`
      : dialect === 'sqlite'
        ? sql`(${sql.join(
            patterns.map((p) => sql`${v} like ${p} escape '\\'`),
            sql` or `,
          )})`
        : sql`lower(${v}) like any(${patterns}::text[])`;
  if (prefilter && patterns.length === 0) return;
  let after: string | null = null;
  for (;;) {
    const k = key ? asText(dialect, key) : v;
    const rows: { k: string; v: string }[] = (
      await sql<{ k: string; v: string }>`select ${key ? sql`` : sql`distinct `}${k} as k, ${v} as v from ${sql.table(table)}
        where ${sql.ref(column)} is not null and ${filter} ${after !== null ? sql`and ${k} > ${after}` : sql``} order by
          ${k} limit ${sql.lit(PAGE)}`.execute(db)
    ).rows;
    if (rows.length === 0) return;
    yield rows.map((r) => ({ key: key ? String(r.k) : null, value: String(r.v) }));
    if (rows.length < PAGE) return;
    after = String(rows[rows.length - 1]!.k);
  }
}

/** Flags rows for their owner: sets the flag and appends to its detail (names and ids only, never values). */
export async function flagRows(
  db: Q,
  table: string,
  flag: { flag: string; detail: string },
  key: string,
  ids: string[],
  detail: string,
): Promise<void> {
  const u = db as unknown as Untyped;
  for (const id of ids) {
    const row = await u.selectFrom(table).select(flag.detail).where(key, '=', id).executeTakeFirst();
    if (!row) continue;
    const before = typeof row[flag.detail] === 'string' ? (row[flag.detail] as string) : '';
    const next = (before ? `${before}; ${detail}` : detail).slice(-2000);
    await u
      .updateTable(table)
      .set({ [flag.flag]: 1, [flag.detail]: next })
      .where(key, '=', id)
      .execute();
  }
}

/** A person's cases that are still open and were made through the public intake, other than those being answered. */
export async function pendingPublicCases(
  trx: Q,
  requests: TableDecl,
  contactIds: string[],
  emails: string[],
  except: string[],
  final: readonly string[],
): Promise<{ id: string; status: string }[]> {
  if (!requests.subjectLink || (contactIds.length === 0 && emails.length === 0)) return [];
  const link = requests.subjectLink;
  let q = (trx as unknown as Untyped)
    .selectFrom('requests')
    .select(['id', 'status'])
    .where('channel', '=', 'public')
    .where('status', 'not in', [...final])
    .where(linkedRows(dialectOf(trx), link, contactRefsOf(requests), contactIds, emails));
  if (except.length) q = q.where(sql<SqlBool>`not ${inList(dialectOf(trx), sql.ref('id'), except)}`);
  return (await q.execute()) as { id: string; status: string }[];
}

/** The row another row is part of (a history event's case). */
export async function partOfRow(db: Q, table: string, key: string, id: string, column: string): Promise<string | null> {
  const r = await (db as unknown as Untyped).selectFrom(table).select(column).where(key, '=', id).executeTakeFirst();
  return typeof r?.[column] === 'string' ? (r[column] as string) : null;
}

export const requestStatuses = (db: Q, ids: string[]) =>
  ids.length
    ? db
        .selectFrom('requests')
        .select(['id', 'status', 'owner_id', 'deadline'])
        .where(inList(dialectOf(db), sql.ref('id'), ids))
        .execute()
    : Promise.resolve([]);

export async function insertTasks(db: Q, rows: TasksTable[]): Promise<void> {
  for (const part of chunks(rows, 500)) await db.insertInto('tasks').values(part).execute();
}

/** The people's access-export copies, read before the erasure removes them. */
export async function exportCopies(trx: Q, contactIds: string[], emails: string[]): Promise<string[]> {
  if (contactIds.length === 0 && emails.length === 0) return [];
  const rows = await trx
    .selectFrom('exports')
    .select('json')
    .where(
      sql<SqlBool>`(${inList(dialectOf(trx), sql.ref('contact_id'), contactIds)} or ${inList(dialectOf(trx), sql.ref('email'), emails)})`,
    )
    .execute();
  return rows.map((r) => r.json);
}
