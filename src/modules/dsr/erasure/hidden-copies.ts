import { sql } from 'kysely';
import { holdCheckpoints } from '../../../db/checkpoint-hold.ts';
import type { Db } from '../../database.ts';
import { ByteMatcher, searchTerms, type Identifiers } from '../residue/residue.model.ts';
import { pgStatsWithTerms } from '../residue/residue.service.ts';

/*
 * Deleting a row through SQL is not the end of it: databases keep copies of values in places
 * SQL does not show. What each dialect needs so that nothing of the person stays behind:
 * - SQLite: secure_delete (set at connect) zeroes deleted cells and freed pages; the
 *   write-ahead log still holds older page images until a checkpoint copies the new ones
 *   into the file and TRUNCATE empties the log; ANALYZE's samples (sqlite_stat4) copy index
 *   keys, an address among them.
 * - PostgreSQL: deleted and updated tuples stay in their pages, and index entries in theirs,
 *   until the relation is rewritten (VACUUM FULL; a plain VACUUM marks the space free and
 *   overwrites nothing); pg_statistic keeps sample values (most common values, histogram
 *   bounds) until the table is analysed again, and the old statistics rows until pg_statistic
 *   is rewritten. The person tables are partitioned by contact id (migration 0011) so that the
 *   storage purge (purge.service.ts) rewrites only the partitions that held the person.
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
  raw.pragma(`cache_size = ${-ERASURE_CACHE_KIB}`);
  const release = holdCheckpoints(raw);
  return () => {
    raw.pragma(`cache_size = ${cache}`);
    release();
  };
}

const ERASURE_CACHE_KIB = 256 * 1024;

/**
 * After the commit, before the residue scan, PostgreSQL re-analyses the tables whose statistics
 * hold an identifier (it cannot run inside a transaction); returns them. The statistics' old
 * rows then stay in pg_statistic's pages until it is rewritten: the storage purge does that
 * (purge.service.ts), with the relations that held the person. SQLite's log is emptied into the
 * file by the scan itself (ResidueScanner, `checkpoint`), while its readers read the tables.
 */
export async function purgeBeforeScan(db: Db, ids: Identifiers): Promise<string[]> {
  if (db.dialect !== 'postgres') return [];
  const named = new Set((await pgStatsWithTerms(db, searchTerms(ids))).map((r) => r.table));
  // An expression index (lower(address)) has statistics of its own: its table is analysed.
  const stale = new Set<string>();
  for (const t of named) {
    const r = await sql<{
      table: string;
    }>`select coalesce((select indrelid::regclass::text from pg_index where indexrelid = c.oid), c.oid::regclass::text) as table from
      pg_class c where c.oid = ${t}::regclass`.execute(db.kysely);
    if (r.rows[0]) stale.add(r.rows[0].table);
  }
  for (const t of stale) {
    // ANALYZE of a relation with no live row keeps its old statistics (a partition that held
    // only the erased person is one): a superuser removes them; otherwise the scan reports them.
    const empty =
      (await sql<{ held: boolean }>`select exists (select 1 from ${sql.raw(t)}) as held`.execute(db.kysely)).rows[0]?.held === false;
    if (empty && (await isSuperuser(db))) {
      await sql`delete from pg_catalog.pg_statistic where starelid = ${t}::regclass or starelid in (select indexrelid from pg_index where
        indrelid = ${t}::regclass)`.execute(db.kysely);
    } else await sql`analyze ${sql.raw(t)}`.execute(db.kysely);
  }
  return [...stale];
}

async function isSuperuser(db: Db): Promise<boolean> {
  return (
    (await sql<{ su: boolean }>`select rolsuper as su from pg_roles where rolname = current_user`.execute(db.kysely)).rows[0]?.su === true
  );
}
