import { type Kysely, sql } from 'kysely';
import { dialectOf, inList } from '../../db/in-list.ts';
import type { Database } from '../database.ts';
import type { ListsTable } from './lists.table.ts';

type Q = Kysely<Database>;

export const insertList = (db: Q, row: ListsTable) => db.insertInto('lists').values(row).execute();
export const listById = (db: Q, id: string) => db.selectFrom('lists').selectAll().where('id', '=', id).executeTakeFirst();
export const listByName = (db: Q, name: string) => db.selectFrom('lists').selectAll().where('name', '=', name).executeTakeFirst();

/** Lists with their member counts. */
const withCounts = (db: Q) =>
  db
    .selectFrom('lists')
    .selectAll('lists')
    .select((eb) =>
      eb
        .selectFrom('list_members')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('list_members.list_id', '=', 'lists.id')
        .as('members'),
    );

export function allLists(db: Q, limit: number, after?: string) {
  let q = withCounts(db);
  if (after) q = q.where('lists.id', '>', after);
  return q.orderBy('lists.id').limit(limit).execute();
}

export const listWithCount = (db: Q, id: string) => withCounts(db).where('lists.id', '=', id).executeTakeFirst();
export const updateList = (db: Q, id: string, patch: { name?: string; description?: string | null }) =>
  db.updateTable('lists').set(patch).where('id', '=', id).execute();

export const membership = (db: Q, contactId: string, listId: string) =>
  db.selectFrom('list_members').selectAll().where('contact_id', '=', contactId).where('list_id', '=', listId).executeTakeFirst();
export const addMember = (db: Q, contactId: string, listId: string, at: string) =>
  db.insertInto('list_members').values({ contact_id: contactId, list_id: listId, joined_at: at }).execute();
export const removeMember = (db: Q, contactId: string, listId: string) =>
  db.deleteFrom('list_members').where('contact_id', '=', contactId).where('list_id', '=', listId).execute();
export const contactLists = (db: Q, contactId: string) =>
  db
    .selectFrom('list_members')
    .innerJoin('lists', 'lists.id', 'list_members.list_id')
    .select(['lists.id', 'lists.name', 'list_members.joined_at'])
    .where('list_members.contact_id', '=', contactId)
    .orderBy('lists.name')
    .execute();

/** Which of these contacts are on the list (any number: the ids travel as one parameter). */
export const membersAmong = (db: Q, listId: string, contactIds: string[]) =>
  db
    .selectFrom('list_members')
    .select('contact_id')
    .where('list_id', '=', listId)
    .where(inList(dialectOf(db), sql.ref('contact_id'), contactIds))
    .execute();
export const addMembers = (db: Q, listId: string, contactIds: string[], at: string) =>
  db
    .insertInto('list_members')
    .values(contactIds.map((id) => ({ contact_id: id, list_id: listId, joined_at: at })))
    .execute();
export const removeMembers = (db: Q, listId: string, contactIds: string[]) =>
  db
    .deleteFrom('list_members')
    .where('list_id', '=', listId)
    .where(inList(dialectOf(db), sql.ref('contact_id'), contactIds))
    .execute();

/** The names of the lists each of these contacts is on, by name. */
export const listNamesOf = (db: Q, contactIds: string[]) =>
  db
    .selectFrom('list_members')
    .innerJoin('lists', 'lists.id', 'list_members.list_id')
    .select(['list_members.contact_id', 'lists.name'])
    .where(inList(dialectOf(db), sql.ref('list_members.contact_id'), contactIds))
    .orderBy('lists.name')
    .execute();
