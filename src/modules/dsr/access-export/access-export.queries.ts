import type { Kysely } from 'kysely';
import type { Database } from '../../database.ts';
import type { ExportsTable } from '../dsr.table.ts';

type Q = Kysely<Database>;

/**
 * The rows of one mapped table that belong to the person: one query, whatever the count.
 * Table and column names come from the data map (code, or entity names checked against a
 * strict pattern), never from a request; Kysely quotes them as identifiers.
 */
export function linkedRows(
  db: Q,
  t: { table: string; columns: string[]; link: string; orderBy: string },
  values: string[],
): Promise<Record<string, unknown>[]> {
  if (values.length === 0) return Promise.resolve([]);
  // biome-ignore lint/suspicious/noExplicitAny: the data map names these tables at run time
  const d = db as unknown as Kysely<any>;
  return d.selectFrom(t.table).select(t.columns).where(t.link, 'in', values).orderBy(t.orderBy).execute();
}

export const insertExport = (db: Q, row: ExportsTable) => db.insertInto('exports').values(row).execute();

export const exportById = (db: Q, id: string) => db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
