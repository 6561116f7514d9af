import { sql, type Kysely } from 'kysely';
import { dialectOf } from './in-list.ts';

/**
 * Above this many rows (by PostgreSQL's planner statistics) an unfiltered listing's total is the
 * estimate: count(*) reads every row (PostgreSQL keeps no row count, and MVCC means each row's
 * visibility is checked), which on a table of millions costs seconds per page. SQLite counts
 * from its smallest index, fast enough at the sizes it serves, so it always counts.
 */
export const ESTIMATE_ABOVE = 100_000;

/**
 * A listing's total: `exact()` when the listing is filtered (a filter's matches have no
 * statistic to read) or the table is small, else PostgreSQL's `reltuples` for the table, which
 * ANALYZE and autovacuum keep close (it is -1 before the first ANALYZE: counted then).
 */
export async function countOrEstimate(
  db: Kysely<any>,
  table: string,
  filtered: boolean,
  exact: () => Promise<number>,
  estimateAbove = ESTIMATE_ABOVE,
): Promise<{ total: number; isEstimate: boolean }> {
  if (!filtered && dialectOf(db) === 'postgres') {
    const r = await sql<{ n: number | null }>`select reltuples::float8 as n from pg_class where oid = to_regclass(${table})`.execute(db);
    const n = r.rows[0]?.n ?? -1;
    if (n > estimateAbove) return { total: Math.round(n), isEstimate: true };
  }
  return { total: await exact(), isEstimate: false };
}

/** The total of an unfiltered listing of one whole table. */
export function tableTotal(db: Kysely<any>, table: string): Promise<{ total: number; isEstimate: boolean }> {
  return countOrEstimate(db, table, false, async () => {
    const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
  });
}
