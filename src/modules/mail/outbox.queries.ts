import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { OutboxTable } from './outbox.table.ts';

type Q = Kysely<Database>;

export async function insertOutbox(db: Q, row: OutboxTable): Promise<void> {
  await db.insertInto('outbox').values(row).execute();
}

/**
 * Newest first (ids are UUIDv7, so id order is creation order). `after` is the id of the last
 * row of the previous page; the rows returned are the ones that follow it in this order.
 * Returns up to `limit + 1` rows: an extra row means another page exists. It is not part of
 * this page, and the page's last row (not the extra one) is the next cursor.
 */
export async function listOutbox(db: Q, opts: { limit: number; after?: string }): Promise<OutboxTable[]> {
  let q = db.selectFrom('outbox').selectAll();
  if (opts.after !== undefined) q = q.where('id', '<', opts.after);
  return q
    .orderBy('id', 'desc')
    .limit(opts.limit + 1)
    .execute();
}

export async function outboxById(db: Q, id: string): Promise<OutboxTable | undefined> {
  return db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Erasure by address: outbox rows may exist for people who never became contacts. Returns the count deleted. */
export async function deleteOutboxTo(db: Q, toAddress: string): Promise<number> {
  const r = await db.deleteFrom('outbox').where('to_address', '=', toAddress).executeTakeFirst();
  return Number(r.numDeletedRows);
}
