import type { Kysely, Transaction } from 'kysely';
import type { JobsDatabase as Database } from './jobs.table.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Inserts the key with `status` unless it exists; true when this call inserted it. */
export async function insertEffect(db: Executor, key: string, status: string, now: string): Promise<boolean> {
  const r = await db
    .insertInto('side_effects')
    .values({ key, status, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Moves the key from one of `from` to `to` in one statement; true when it was in one of them. */
export async function moveEffect(db: Executor, key: string, from: readonly string[], to: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('side_effects')
    .set({ status: to, updated_at: now })
    .where('key', '=', key)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function effectStatus(db: Executor, key: string): Promise<string | undefined> {
  return (await db.selectFrom('side_effects').select('status').where('key', '=', key).executeTakeFirst())?.status;
}
