import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database.ts';
import type { StoragePurgesTable, StoragePurgeTermsTable } from '../dsr.table.ts';
import { chunks } from '../../../lib/chunks.ts';

type Q = Kysely<Database>;

export async function insertPurges(db: Q, rows: StoragePurgesTable[]): Promise<void> {
  for (const part of chunks(rows, 1000)) await db.insertInto('storage_purges').values(part).execute();
}

export async function insertTerms(db: Q, rows: StoragePurgeTermsTable[]): Promise<void> {
  for (const part of chunks(rows, 1000)) await db.insertInto('storage_purge_terms').values(part).execute();
}

/** The receipts still waiting for this relation's rewrite, due by `due`. */
export async function pendingReceipts(db: Q, relation: string, due: string): Promise<string[]> {
  const rows = await db
    .selectFrom('storage_purges')
    .select('receipt_id')
    .where('relation', '=', relation)
    .where('done_at', 'is', null)
    .where('due_at', '<=', due)
    .execute();
  return rows.map((r) => r.receipt_id);
}

export async function termsOfReceipts(db: Q, receiptIds: string[]) {
  if (receiptIds.length === 0) return [];
  return db.selectFrom('storage_purge_terms').selectAll().where('receipt_id', 'in', receiptIds).execute();
}

/** Marks this relation's rewrite done for the given receipts, with what it found. */
export async function markDone(db: Q, relation: string, outcomes: Map<string, string>, now: string): Promise<void> {
  for (const [receiptId, outcome] of outcomes) {
    await db
      .updateTable('storage_purges')
      .set({ done_at: now, outcome })
      .where('receipt_id', '=', receiptId)
      .where('relation', '=', relation)
      .where('done_at', 'is', null)
      .execute();
  }
}

/** Whether purges of this relation due by `due` are still waiting (their erasure committed after the job read them). */
export async function stillPending(db: Q, relation: string, due: string): Promise<boolean> {
  return (
    (await db
      .selectFrom('storage_purges')
      .select('relation')
      .where('relation', '=', relation)
      .where('done_at', 'is', null)
      .where('due_at', '<=', due)
      .limit(1)
      .executeTakeFirst()) !== undefined
  );
}

/** Relations with purges still pending although their window ended before `before`. */
export async function overdueRelations(db: Q, before: string): Promise<string[]> {
  const rows = await db
    .selectFrom('storage_purges')
    .select('relation')
    .distinct()
    .where('done_at', 'is', null)
    .where('due_at', '<', before)
    .execute();
  return rows.map((r) => r.relation);
}

/** Of these receipts, those whose every relation has been rewritten, with the outcomes. */
export async function completed(db: Q, receiptIds: string[]) {
  if (receiptIds.length === 0) return [];
  const rows = await db
    .selectFrom('storage_purges')
    .selectAll()
    .where('receipt_id', 'in', receiptIds)
    .orderBy('receipt_id')
    .orderBy('relation')
    .execute();
  const by = new Map<string, StoragePurgesTable[]>();
  for (const r of rows) by.set(r.receipt_id, [...(by.get(r.receipt_id) ?? []), r]);
  return [...by.entries()].filter(([, rs]) => rs.every((r) => r.done_at !== null)).map(([receiptId, purges]) => ({ receiptId, purges }));
}

export async function setReceiptStorage(
  db: Q,
  ids: string[],
  set: { storage_status: string; storage_purged_at: string | null; storage_verification: string | null },
): Promise<void> {
  if (ids.length) await db.updateTable('erasure_receipts').set(set).where('id', 'in', ids).execute();
}

export async function deleteTerms(db: Q, receiptIds: string[]): Promise<void> {
  if (receiptIds.length) await db.deleteFrom('storage_purge_terms').where('receipt_id', 'in', receiptIds).execute();
}

/** Whether the relation exists in the current schema (a job names it; nothing else is rewritten). */
export async function relationExists(db: Q, relation: string): Promise<boolean> {
  if (relation === 'pg_statistic') return true;
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from pg_class where relname = ${relation} and relnamespace = current_schema()::regnamespace and
    relkind = 'r'`.execute(db);
  return (r.rows[0]?.n ?? 0) > 0;
}

/** The relations whose pages hold the table's data: itself, its indexes, its TOAST table and that one's index. */
export async function storageOf(db: Q, relation: string): Promise<{ name: string; pages: number }[]> {
  const r = await sql<{ oid: number; name: string; pages: number }>`
    with t as (select c.oid, c.reltoastrelid from pg_class c where c.oid =
      ${relation === 'pg_statistic' ? 'pg_catalog.pg_statistic' : relation}::regclass)
    select c.oid::int as oid, c.oid::regclass::text as name, (pg_relation_size(c.oid) /
      current_setting('block_size')::int)::int as pages from pg_class c, t
    where c.oid = t.oid or c.oid = t.reltoastrelid
      or c.oid in (select indexrelid from pg_index where indrelid = t.oid or indrelid = t.reltoastrelid)
    order by c.oid`.execute(db);
  return r.rows.map(({ name, pages }) => ({ name, pages }));
}

/** Whether get_raw_page can be called here: pageinspect installed, and the role a superuser. */
export async function canInspectPages(db: Q): Promise<{ ok: true } | { ok: false; why: string }> {
  const r = await sql<{
    ext: boolean;
    su: boolean;
  }>`select exists (select 1 from pg_extension where extname = 'pageinspect') as ext, (select rolsuper from pg_roles where rolname =
    current_user) as su`.execute(db);
  const row = r.rows[0];
  if (!row?.ext) return { ok: false, why: 'pageinspect is not installed (CREATE EXTENSION pageinspect, as a superuser)' };
  if (!row.su) return { ok: false, why: 'reading raw pages (pageinspect) needs a superuser role' };
  return { ok: true };
}

/** Raw pages [from, to) of a relation's main fork. */
export async function rawPages(db: Q, relation: string, from: number, to: number): Promise<Buffer[]> {
  const r = await sql<{
    p: Buffer;
  }>`select get_raw_page(${relation}, 'main', b::int) as p from generate_series(${from}::int, ${to - 1}::int) b`.execute(db);
  return r.rows.map((x) => x.p);
}

/**
 * What holds the cleanup horizon back right now, for a failed purge's outcome: each session with
 * a snapshot or a transaction id, by kind, database (this one or another) and age in
 * transactions; slots and prepared transactions. Never query text or user names.
 */
export async function horizonHolders(db: Q): Promise<string> {
  const r = await sql<{ what: string }>`
    select coalesce(backend_type, '?') || case when datname = current_database() then ' here' when datname is null then ' (no database)'
      else ' elsewhere' end || ' ' || coalesce(state, '') || ' xmin age ' || coalesce(age(backend_xmin)::text, '-') || ' xid age ' ||
      coalesce(age(backend_xid)::text, '-') as what
    from pg_stat_activity where (backend_xmin is not null or backend_xid is not null) and pid <> pg_backend_pid()
    union all select 'slot xmin age ' || coalesce(age(xmin)::text, '-') || ' catalog ' || coalesce(age(catalog_xmin)::text, '-')
      from pg_replication_slots
    union all select 'prepared xact age ' || age(transaction)::text from pg_prepared_xacts`.execute(db);
  return r.rows.length ? `horizon then: ${r.rows.map((x) => x.what).join('; ')}` : 'horizon then: nothing older held it';
}
