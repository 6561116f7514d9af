import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { WebhookDeliveriesTable, WebhooksTable } from './webhooks.table.ts';

type Q = Kysely<Database>;

export const insertWebhook = (db: Q, row: WebhooksTable) => db.insertInto('webhooks').values(row).execute();
export const webhookById = (db: Q, id: string) => db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
export const activeWebhooks = (db: Q) => db.selectFrom('webhooks').selectAll().where('status', '=', 'active').orderBy('id').execute();

export function listWebhooks(db: Q, limit: number, after?: string) {
  let q = db.selectFrom('webhooks').selectAll();
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

export async function updateWebhook(db: Q, id: string, set: Partial<WebhooksTable>): Promise<boolean> {
  const r = await db.updateTable('webhooks').set(set).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteWebhook(db: Q, id: string): Promise<boolean> {
  const r = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
  return Number(r.numDeletedRows) > 0;
}

/** A success resets the count of failures in a row. */
export const recordSuccess = (db: Q, id: string, now: string) =>
  db.updateTable('webhooks').set({ consecutive_failures: 0, updated_at: now }).where('id', '=', id).execute();

/**
 * Counts a failure in one statement (concurrent deliveries each count) and disables the
 * webhook when the count reaches `limit`. Returns the webhook's status afterwards.
 */
export async function recordFailure(db: Q, id: string, limit: number, now: string): Promise<'active' | 'disabled' | null> {
  await db
    .updateTable('webhooks')
    .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .execute();
  await db
    .updateTable('webhooks')
    .set({ status: 'disabled', disabled_at: now, disabled_reason: 'failures', updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .where('consecutive_failures', '>=', limit)
    .execute();
  const r = await db.selectFrom('webhooks').select('status').where('id', '=', id).executeTakeFirst();
  return r?.status ?? null;
}

export const insertDelivery = (db: Q, row: WebhookDeliveriesTable) => db.insertInto('webhook_deliveries').values(row).execute();

/** How many deliveries the webhook's log holds (the log listing's total). */
export async function countDeliveries(db: Q, webhookId: string): Promise<number> {
  const r = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('webhook_id', '=', webhookId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export function listDeliveries(db: Q, webhookId: string, limit: number, before?: string) {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
  if (before) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}
