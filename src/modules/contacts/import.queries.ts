import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import type { ContactsTable } from './contacts.table.ts';
import type { CustomField } from './custom-fields.model.ts';

type Q = Kysely<Database>;

/** The columns an import writes, in order, with their PostgreSQL array types. */
export interface WriteColumn {
  name: string;
  pgType: 'text' | 'int4' | 'float8';
}

const BASE: WriteColumn[] = [
  { name: 'id', pgType: 'text' },
  { name: 'email', pgType: 'text' },
  { name: 'first_name', pgType: 'text' },
  { name: 'last_name', pgType: 'text' },
  { name: 'phone', pgType: 'text' },
  { name: 'company', pgType: 'text' },
  { name: 'country', pgType: 'text' },
  { name: 'language', pgType: 'text' },
  { name: 'birth_date', pgType: 'text' },
  { name: 'is_child', pgType: 'int4' },
  { name: 'guardian_id', pgType: 'text' },
  { name: 'guardian_consent', pgType: 'int4' },
  { name: 'consent_level', pgType: 'int4' },
  { name: 'created_at', pgType: 'text' },
  { name: 'updated_at', pgType: 'text' },
];

export function writeColumns(fields: CustomField[]): WriteColumn[] {
  return [...BASE, ...fields.map((f): WriteColumn => ({ name: f.column, pgType: f.type === 'number' ? 'float8' : f.type === 'boolean' ? 'int4' : 'text' }))];
}

/**
 * The stored rows for a batch of emails. On PostgreSQL they are locked until commit, so a
 * concurrent change to one of them cannot be overwritten by the merged row written back.
 */
export async function contactsByEmails(db: Q, dialect: Db['dialect'], emails: string[], lock: boolean): Promise<ContactsTable[]> {
  if (emails.length === 0) return [];
  if (dialect === 'postgres') {
    // One index probe per address, whatever the planner believes: for `email = any($1)` with a
    // large array it prefers hashing the array and scanning the whole table, the more so as a
    // growing import leaves the statistics stale; every batch then reads every row, quadratic
    // over a million. The LIMIT keeps the lateral subquery from being flattened into that.
    const r = await sql<ContactsTable>`select c.* from unnest(${emails}::text[]) as e(email)
      cross join lateral (select * from contacts where contacts.email = e.email limit 1 ${lock ? sql`for update` : sql``}) c`.execute(db);
    return r.rows;
  }
  // One JSON parameter instead of one per address: SQLite binds it once, whatever the batch size.
  const r = await sql<ContactsTable>`select * from contacts where email in (select value from json_each(${JSON.stringify(emails)}))`.execute(db);
  return r.rows;
}

const names = (cols: WriteColumn[]) => cols.map((c) => `"${c.name}"`).join(', ');
const changeable = (cols: WriteColumn[]) => cols.filter((c) => c.name !== 'id' && c.name !== 'created_at');

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

function prepared(raw: SQLite.Database, text: string): SQLite.Statement {
  let cache = statements.get(raw);
  if (!cache) statements.set(raw, (cache = new Map()));
  let stmt = cache.get(text);
  if (!stmt) cache.set(text, (stmt = raw.prepare(text)));
  return stmt;
}

/** The raw SQLite handle, which is the connection the caller's Kysely transaction holds. */
function inTransaction(db: Db): SQLite.Database {
  const raw = db.sqlite!;
  if (!raw.inTransaction) throw new Error('bulk contact writes run inside the import transaction');
  return raw;
}

/** PostgreSQL: one array parameter per column, so one statement serves any batch size. */
const unnest = (cols: WriteColumn[], rows: unknown[][]) => sql.join(cols.map((c, k) => sql`${rows.map((r) => r[k])}::${sql.raw(c.pgType)}[]`));

/*
 * The bulk writes use each driver's quickest plain form, inside the caller's transaction: one
 * cached prepared statement per row on better-sqlite3 (the same connection Kysely holds; a
 * plain INSERT measured about twice as fast as one with ON CONFLICT here), and on PostgreSQL
 * one statement over `unnest` of one array per column. New and existing contacts are written
 * apart: the batch has just read which is which, and the unique email index still refuses an
 * address another writer took meanwhile (the batch then fails and is retried row by row).
 */

/** New contacts, values in `cols` order. */
export async function insertContacts(trx: Q, db: Db, cols: WriteColumn[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  if (db.dialect === 'sqlite') {
    const stmt = prepared(inTransaction(db), `insert into contacts (${names(cols)}) values (${cols.map(() => '?').join(', ')})`);
    for (const r of rows) stmt.run(r);
    return;
  }
  await sql`insert into contacts (${sql.raw(names(cols))}) select * from unnest(${unnest(cols, rows)})`.execute(trx);
}

/** Existing contacts rewritten whole by id, values in `cols` order (created_at is kept). */
export async function updateContacts(trx: Q, db: Db, cols: WriteColumn[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const set = changeable(cols);
  if (db.dialect === 'sqlite') {
    const stmt = prepared(inTransaction(db), `update contacts set ${set.map((c) => `"${c.name}" = ?`).join(', ')} where id = ?`);
    const at = set.map((c) => cols.indexOf(c));
    const id = cols.findIndex((c) => c.name === 'id');
    for (const r of rows) stmt.run([...at.map((k) => r[k]), r[id]]);
    return;
  }
  const assign = set.map((c) => `"${c.name}" = u."${c.name}"`).join(', ');
  // An index probe per row: left to itself the planner hashes the batch and scans the whole
  // table for it (stale statistics make that look cheap), once per batch. Scoped to this
  // statement: the settings are transaction-local and put back right after.
  const joins = (on: boolean) => sql`select set_config('enable_hashjoin', ${on ? 'on' : 'off'}, true), set_config('enable_mergejoin', ${on ? 'on' : 'off'}, true)`.execute(trx);
  await joins(false);
  await sql`update contacts set ${sql.raw(assign)} from unnest(${unnest(cols, rows)}) as u(${sql.raw(names(cols))}) where contacts.id = u.id`.execute(trx);
  await joins(true);
}
