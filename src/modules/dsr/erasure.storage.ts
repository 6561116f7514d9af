import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { ByteMatcher, searchTerms, type Identifiers } from './residue.model.ts';
import { pgStatsWithTerms } from './residue.service.ts';

/*
 * Deleting a row through SQL is not the end of it: databases keep copies of values in places
 * SQL does not show. What each dialect needs so that nothing of the person stays behind:
 * - SQLite: secure_delete (set at connect) zeroes deleted cells and freed pages; the
 *   write-ahead log still holds older page images until a checkpoint copies the new ones
 *   into the file and TRUNCATE empties the log; ANALYZE's samples (sqlite_stat4) copy index
 *   keys, an address among them.
 * - PostgreSQL: deleted tuples stay in their pages until VACUUM; pg_statistic keeps sample
 *   values (most common values, histogram bounds) until the table is analysed again.
 */

/**
 * SQLite, inside the erasure transaction: removes the statistics samples that hold an
 * identifier. The planner loses a sample or two until the next ANALYZE; that is all.
 */
export function removeStatSamples(db: Db, ids: Identifiers): number {
  const raw = db.sqlite;
  if (!raw) return 0;
  const exists = raw.prepare(`select 1 from sqlite_master where type = 'table' and name = 'sqlite_stat4'`).get();
  if (!exists) return 0;
  const matcher = new ByteMatcher(ids);
  if (matcher.empty) return 0;
  const drop = raw.prepare('delete from sqlite_stat4 where rowid = ?');
  let n = 0;
  for (const r of raw.prepare('select rowid as id, sample from sqlite_stat4').all() as { id: number; sample: Buffer | string }[]) {
    if (matcher.matches(Buffer.isBuffer(r.sample) ? r.sample : Buffer.from(String(r.sample)))) n += drop.run(r.id).changes;
  }
  return n;
}

/**
 * SQLite, for the erasure's transactions: a page cache that holds the pages a batch changes (the
 * default, 2 MB, spills them into the log again and again when thousands of rows go), and no
 * automatic checkpoint after each batch's commit: the one after the last batch copies each
 * changed page into the file once. Returns the function that puts both settings back.
 */
export function tuneForErasure(db: Db): () => void {
  const raw = db.sqlite;
  if (!raw) return () => undefined;
  const cache = Number(raw.pragma('cache_size', { simple: true }));
  const auto = Number(raw.pragma('wal_autocheckpoint', { simple: true }));
  raw.pragma(`cache_size = ${-ERASURE_CACHE_KIB}`);
  raw.pragma('wal_autocheckpoint = 0');
  return () => {
    raw.pragma(`cache_size = ${cache}`);
    raw.pragma(`wal_autocheckpoint = ${auto}`);
  };
}

const ERASURE_CACHE_KIB = 256 * 1024;
/** Tables PostgreSQL vacuums at once (each on its own connection). */
const VACUUMS_AT_ONCE = 3;

/**
 * After the commit, before the residue scan, PostgreSQL re-analyses the tables whose statistics
 * hold an identifier (it cannot run inside a transaction). SQLite's log is emptied into the file
 * by the scan itself (ResidueScanner, `checkpoint`), while its readers read the tables.
 */
export async function purgeBeforeScan(db: Db, ids: Identifiers): Promise<string[]> {
  if (db.dialect !== 'postgres') return [];
  const stale = new Set((await pgStatsWithTerms(db, searchTerms(ids))).map((r) => r.table));
  for (const t of stale) await sql`analyze ${sql.table(t)}`.execute(db.kysely);
  return [];
}

/**
 * PostgreSQL, after the scan (which reads only live rows, so it need not wait): vacuums the
 * touched tables, several at once, so the deleted tuples leave their pages.
 */
export async function purgeAfterScan(db: Db, tables: string[]): Promise<string[]> {
  if (db.dialect !== 'postgres') return [];
  let next = 0;
  const lane = async () => {
    while (next < tables.length) await sql`vacuum ${sql.table(tables[next++]!)}`.execute(db.kysely);
  };
  await Promise.all(Array.from({ length: Math.min(VACUUMS_AT_ONCE, tables.length) }, lane));
  return [];
}
