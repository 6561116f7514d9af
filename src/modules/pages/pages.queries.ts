import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { PagesTable } from './pages.table.ts';

type Q = Kysely<Database>;

export const insertPage = (db: Q, row: PagesTable) => db.insertInto('pages').values(row).execute();
export const pageById = (db: Q, id: string) => db.selectFrom('pages').selectAll().where('id', '=', id).executeTakeFirst();
export const pageBySlug = (db: Q, slug: string) => db.selectFrom('pages').selectAll().where('slug', '=', slug).executeTakeFirst();
export const updatePage = (db: Q, id: string, patch: Partial<Omit<PagesTable, 'id' | 'created_at' | 'type'>>) =>
  db.updateTable('pages').set(patch).where('id', '=', id).executeTakeFirst();
export const deletePage = (db: Q, id: string) => db.deleteFrom('pages').where('id', '=', id).executeTakeFirst();

/** Pages in the order they were made (ids are time-ordered), after the cursor. */
export const listPages = (db: Q, limit: number, after?: string) => {
  let q = db.selectFrom('pages').selectAll();
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
};

export async function countPages(db: Q): Promise<number> {
  const r = await db
    .selectFrom('pages')
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
