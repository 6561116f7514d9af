import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Db } from './connect.ts';

/** A column a bulk write fills, with the PostgreSQL array type its values travel in. */
export interface BulkColumn {
  name: string;
  pgType: 'text' | 'int4' | 'int8' | 'float8';
}

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

/** One prepared statement per text and connection, kept for the connection's life. */
export function prepared(raw: SQLite.Database, text: string): SQLite.Statement {
  let cache = statements.get(raw);
  if (!cache) statements.set(raw, (cache = new Map()));
  let stmt = cache.get(text);
  if (!stmt) cache.set(text, (stmt = raw.prepare(text)));
  return stmt;
}

/**
 * The raw SQLite handle, which is the one connection the caller's Kysely transaction holds.
 * Refuses outside a transaction: a bulk write must commit or roll back with the change it
 * belongs to.
 */
export function rawInTransaction(db: Db<any>): SQLite.Database {
  const raw = db.sqlite!;
  if (!raw.inTransaction) throw new Error('bulk writes run inside a transaction');
  return raw;
}

export const columnNames = (cols: readonly BulkColumn[]) => cols.map((c) => `"${c.name}"`).join(', ');

/** PostgreSQL: one array parameter per column, so one statement serves any batch size. */
export const pgArrays = (cols: readonly BulkColumn[], rows: readonly unknown[][]) =>
  sql.join(cols.map((c, k) => sql`${rows.map((r) => r[k])}::${sql.raw(c.pgType)}[]`));

/*
 * Each driver's quickest plain form of a many-row insert, inside the caller's transaction:
 * better-sqlite3 runs one cached prepared statement per row on the connection Kysely holds
 * (no statement text to build, no parameter limit to chunk around); PostgreSQL takes the whole
 * batch as one statement over `unnest` of one array per column (one parse and plan, one round
 * trip). `rows` hold values in `cols` order.
 */
export async function bulkInsert(
  trx: Kysely<any>,
  db: Db<any>,
  table: string,
  cols: readonly BulkColumn[],
  rows: readonly unknown[][],
): Promise<void> {
  if (rows.length === 0) return;
  if (db.dialect === 'sqlite') {
    const stmt = prepared(rawInTransaction(db), `insert into "${table}" (${columnNames(cols)}) values (${cols.map(() => '?').join(', ')})`);
    for (const r of rows) stmt.run(r);
    return;
  }
  await sql`insert into ${sql.table(table)} (${sql.raw(columnNames(cols))}) select * from unnest(${pgArrays(cols, rows)})`.execute(trx);
}
