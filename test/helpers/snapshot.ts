import { sql } from 'kysely';
import type { Db } from '../../src/modules/database.ts';
import { liveColumns } from '../../src/db/introspect.ts';

/** Every row of every live table, for "this request wrote nothing" assertions. */
export async function dumpDatabase(db: Db): Promise<Record<string, unknown[]>> {
  const tables = [...new Set((await liveColumns(db)).map((c) => c.table))].sort();
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const r = await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(db.kysely);
    out[t] = r.rows.map((row) => JSON.stringify(row)).sort();
  }
  return out;
}
