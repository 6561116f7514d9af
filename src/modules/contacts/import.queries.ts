import { sql, type Kysely } from 'kysely';
import { bulkInsert, columnNames, pgArrays, prepared, rawInTransaction, type BulkColumn } from '../../db/bulk.ts';
import { chunks } from '../../lib/chunks.ts';
import type { Db } from '../database.ts';
import type { Database } from '../database.ts';
import type { CustomField } from './custom-fields.model.ts';
import type { ContactsTable } from '../contact-records/module.ts';

type Q = Kysely<Database>;

/** The columns an import writes, in order, with their PostgreSQL array types. */
export type WriteColumn = BulkColumn;

const BASE: WriteColumn[] = [
  { name: 'id', pgType: 'text' },
  { name: 'email', pgType: 'text' },
  { name: 'first_name', pgType: 'text' },
  { name: 'last_name', pgType: 'text' },
  { name: 'phone', pgType: 'text' },
  { name: 'company', pgType: 'text' },
  { name: 'country', pgType: 'text' },
  { name: 'language', pgType: 'text' },
  { name: 'time_zone', pgType: 'text' },
  { name: 'birth_date', pgType: 'text' },
  { name: 'is_child', pgType: 'int4' },
  { name: 'guardian_id', pgType: 'text' },
  { name: 'guardian_consent', pgType: 'int4' },
  { name: 'consent_level', pgType: 'int4' },
  { name: 'created_at', pgType: 'text' },
  { name: 'updated_at', pgType: 'text' },
];

export function writeColumns(fields: CustomField[]): WriteColumn[] {
  return [
    ...BASE,
    ...fields.map(
      (f): WriteColumn => ({ name: f.column, pgType: f.type === 'number' ? 'float8' : f.type === 'boolean' ? 'int4' : 'text' }),
    ),
  ];
}

/**
 * The stored rows for a batch of address keys (emailKey), each with the key it was found by;
 * where contacts share a key from before keys existed, the oldest (dup 0 first). On PostgreSQL
 * they are locked until commit, so a concurrent change to one of them cannot be overwritten by
 * the merged row written back.
 */
export async function contactsByEmailKeys(
  db: Q,
  dialect: Db['dialect'],
  keys: string[],
  lock: boolean,
): Promise<(ContactsTable & { email_key: string })[]> {
  if (keys.length === 0) return [];
  if (dialect === 'postgres') {
    // One index probe per address, whatever the planner believes: for `= any($1)` with a large
    // array it prefers hashing the array and scanning the whole table, the more so as a growing
    // import leaves the statistics stale; every batch then reads every row, quadratic over a
    // million. The LIMIT keeps the lateral subquery from being flattened into that.
    const r = await sql<ContactsTable & { email_key: string }>`select c.*, e.k as email_key from unnest(${keys}::text[]) as e(k)
      cross join lateral (select contacts.* from contact_emails r join contacts on contacts.id = r.contact_id where
        r.email_key = e.k order by r.dup limit 1 ${lock ? sql`for update of contacts` : sql``}) c`.execute(db);
    return r.rows;
  }
  // One JSON parameter instead of one per address: SQLite binds it once, whatever the batch size.
  const r = await sql<
    ContactsTable & { email_key: string; dup: number }
  >`select c.*, r.email_key, r.dup from contact_emails r join contacts c on c.id = r.contact_id
    where r.email_key in (select value from json_each(${JSON.stringify(keys)})) order by r.email_key, r.dup`.execute(db);
  const first = new Map<string, ContactsTable & { email_key: string }>();
  for (const row of r.rows) {
    if (first.has(row.email_key)) continue;
    const { dup: _dup, ...rest } = row;
    first.set(row.email_key, rest);
  }
  return [...first.values()];
}

/** The registry rows of new contacts (key, contact id), in the same transaction as the contacts. */
export async function insertEmailKeys(trx: Q, db: Db, rows: { key: string; id: string }[]): Promise<void> {
  await bulkInsert(
    trx,
    db,
    'contact_emails',
    REGISTRY,
    rows.map((r) => [r.key, 0, r.id]),
  );
}
const REGISTRY: BulkColumn[] = [
  { name: 'email_key', pgType: 'text' },
  { name: 'dup', pgType: 'int4' },
  { name: 'contact_id', pgType: 'text' },
];

const changeable = (cols: WriteColumn[]) => cols.filter((c) => c.name !== 'id' && c.name !== 'created_at');

/*
 * New and existing contacts are written apart: the batch has just read which is which, and
 * the registry's primary key still refuses an address another writer took meanwhile (the batch
 * then fails and is retried row by row). A plain INSERT measured about twice as fast as one
 * with ON CONFLICT on SQLite.
 */

/** New contacts, values in `cols` order. */
export async function insertContacts(trx: Q, db: Db, cols: WriteColumn[], rows: unknown[][]): Promise<void> {
  await bulkInsert(trx, db, 'contacts', cols, rows);
}

/** Existing contacts rewritten whole by id, values in `cols` order (created_at is kept). */
export async function updateContacts(trx: Q, db: Db, cols: WriteColumn[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const set = changeable(cols);
  if (db.dialect === 'sqlite') {
    const stmt = prepared(rawInTransaction(db), `update contacts set ${set.map((c) => `"${c.name}" = ?`).join(', ')} where id = ?`);
    const at = set.map((c) => cols.indexOf(c));
    const id = cols.findIndex((c) => c.name === 'id');
    for (const r of rows) stmt.run([...at.map((k) => r[k]), r[id]]);
    return;
  }
  const assign = set.map((c) => `"${c.name}" = u."${c.name}"`).join(', ');
  // An index probe per row: left to itself the planner hashes the batch and scans the whole
  // table for it (stale statistics make that look cheap), once per batch. Scoped to this
  // statement: the settings are transaction-local and put back right after.
  const joins = (on: boolean) =>
    sql`select set_config('enable_hashjoin', ${on ? 'on' : 'off'}, true),
      set_config('enable_mergejoin', ${on ? 'on' : 'off'}, true)`.execute(trx);
  await joins(false);
  await sql`update contacts set ${sql.raw(assign)} from unnest(${pgArrays(cols, rows)}) as u(${sql.raw(columnNames(cols))}) where
    contacts.id = u.id`.execute(trx);
  await joins(true);
}

// Import jobs: the file waiting for its job, and the lines it rejected.

export async function insertUpload(trx: Q, jobId: string, content: Uint8Array, now: string): Promise<void> {
  await trx.insertInto('import_uploads').values({ job_id: jobId, content, created_at: now }).execute();
}

export const uploadOf = (db: Q, jobId: string) =>
  db.selectFrom('import_uploads').select('content').where('job_id', '=', jobId).executeTakeFirst();

export async function deleteUpload(trx: Q, jobId: string): Promise<void> {
  await trx.deleteFrom('import_uploads').where('job_id', '=', jobId).execute();
}

// Four parameters a row: well under either database's limit.
const REJECTS_CHUNK = 2000;

export async function insertRejects(trx: Q, jobId: string, rows: { line: number; reason: string }[], now: string): Promise<void> {
  for (const part of chunks(rows, REJECTS_CHUNK))
    await trx
      .insertInto('import_rejects')
      .values(part.map((r) => ({ job_id: jobId, line: r.line, reason: r.reason, created_at: now })))
      .execute();
}

/** A job's rejected lines after `line`, in line order. */
export const rejectsAfter = (db: Q, jobId: string, line: number, n: number) =>
  db
    .selectFrom('import_rejects')
    .select(['line', 'reason'])
    .where('job_id', '=', jobId)
    .where('line', '>', line)
    .orderBy('line')
    .limit(n)
    .execute();
