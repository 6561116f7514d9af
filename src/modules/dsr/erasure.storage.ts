import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { ByteMatcher, passes, searchTerms, type Identifiers } from './residue.model.ts';
import { pgStatsWithTerms } from './residue.queries.ts';

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

const CHECKPOINT_TRIES = 40;

/**
 * After the commit: SQLite copies the log into the file and empties it; PostgreSQL vacuums the
 * touched tables and re-analyses those whose statistics hold an identifier. Neither can run
 * inside a transaction. Returns what could not be done, for the receipt's residue.
 */
export async function purgeStorage(db: Db, tables: string[], ids: Identifiers): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    if (!db.sqlite || db.target.location === ':memory:') return [];
    // A reader in another process pins the log; wait a little for it rather than leave the log full.
    for (let i = 0; i < CHECKPOINT_TRIES; i++) {
      const [r] = db.sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (r?.busy === 0) return [];
      await sleep(50);
    }
    return ['checkpoint:busy'];
  }
  const stale = new Set<string>();
  for (const pass of passes(searchTerms(ids))) for (const r of await pgStatsWithTerms(db, pass)) stale.add(r.table);
  for (const t of stale) await sql`analyze ${sql.table(t)}`.execute(db.kysely);
  for (const t of tables) await sql`vacuum ${sql.table(t)}`.execute(db.kysely);
  return [];
}
