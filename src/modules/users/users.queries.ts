import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { ApiKeysTable, SessionsTable, UsersTable } from './users.table.ts';

type Q = Kysely<Database>;

export const insertUser = (db: Q, row: UsersTable) => db.insertInto('users').values(row).execute();
export const userByEmail = (db: Q, email: string) => db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
export const userById = (db: Q, id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
export const countUsers = async (db: Q) =>
  Number(
    (
      await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

export function listUsers(db: Q, limit: number, after?: string) {
  let q = db.selectFrom('users').selectAll();
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

export const updateUser = (db: Q, id: string, patch: Partial<Omit<UsersTable, 'id'>>) =>
  db.updateTable('users').set(patch).where('id', '=', id).executeTakeFirst();

export const insertSession = (db: Q, row: SessionsTable) => db.insertInto('sessions').values(row).execute();

export function activeSession(db: Q, tokenHash: string, now: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id as session_id', 'users.id as user_id', 'users.role as role'])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.expires_at', '>', now)
    .where('users.disabled', '=', 0)
    .executeTakeFirst();
}

export const deleteSession = (db: Q, id: string) => db.deleteFrom('sessions').where('id', '=', id).execute();
export const deleteUserSessions = (db: Q, userId: string) => db.deleteFrom('sessions').where('user_id', '=', userId).execute();
/** Every session of the user but one (the one that asked). */
export const deleteOtherSessions = (db: Q, userId: string, keep: string) =>
  db.deleteFrom('sessions').where('user_id', '=', userId).where('id', '<>', keep).execute();

export const insertKey = (db: Q, row: ApiKeysTable) => db.insertInto('api_keys').values(row).execute();
export const keyByPrefix = (db: Q, prefix: string) =>
  db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).where('revoked_at', 'is', null).executeTakeFirst();
export const keyById = (db: Q, id: string) => db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
export const revokeKey = (db: Q, id: string, at: string) =>
  db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();

export function listKeys(db: Q, limit: number, after?: string) {
  let q = db.selectFrom('api_keys').selectAll();
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

/** Every staff actor the audit log can name: users by their address, keys by their name (revoked and disabled ones too). */
export async function staffActors(db: Q): Promise<{ type: 'user' | 'api_key'; id: string; name: string }[]> {
  const users = await db.selectFrom('users').select(['id', 'email']).orderBy('email').execute();
  const keys = await db.selectFrom('api_keys').select(['id', 'name']).orderBy('name').orderBy('id').execute();
  return [
    ...users.map((u) => ({ type: 'user' as const, id: u.id, name: u.email })),
    ...keys.map((k) => ({ type: 'api_key' as const, id: k.id, name: k.name })),
  ];
}

/** The names of these users and keys (a user's address, a key's name), by id; unknown ids are left out. */
export async function actorNames(db: Q, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  for (const u of await db.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).execute()) names.set(u.id, u.email);
  for (const k of await db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', ids).execute()) names.set(k.id, k.name);
  return names;
}
