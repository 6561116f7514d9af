import { sql, type Kysely } from 'kysely';
import { dialectOf, inList } from '../../db/in-list.ts';
import { chunks } from '../../lib/chunks.ts';
import type { Database } from '../database.ts';
import type { SendStatus, SendsTable } from './email.table.ts';

type Q = Kysely<Database>;

/** Rows per insert: 15 columns each, far under both databases' bound-variable limits. */
const INSERT_CHUNK = 1_000;

/** Statuses a batch may still take: nothing else is ever changed by the pipeline. */
export const PENDING: readonly SendStatus[] = ['queued', 'deferred'];

/** Inserts sends; a (message, contact, origin) that exists already is kept as it is. Returns how many were new. */
export async function insertSends(db: Q, rows: SendsTable[]): Promise<number> {
  let n = 0;
  for (const part of chunks(rows, INSERT_CHUNK)) {
    const r = await db
      .insertInto('sends')
      .values(part)
      .onConflict((oc) => oc.columns(['message_id', 'contact_id', 'origin']).doNothing())
      .executeTakeFirst();
    n += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return n;
}

export const sendById = (db: Q, id: string) => db.selectFrom('sends').selectAll().where('id', '=', id).executeTakeFirst();

export const sendByKey = (db: Q, messageId: string, contactId: string, origin: string) =>
  db
    .selectFrom('sends')
    .selectAll()
    .where('message_id', '=', messageId)
    .where('contact_id', '=', contactId)
    .where('origin', '=', origin)
    .executeTakeFirst();

/** What a batch job names: a campaign's sends in an id range (both ends included), or sends by id. */
export type BatchSelector = { campaignId: string; first: string; last: string } | { ids: string[] };

/** The selected sends a batch may take now: pending in one of `statuses`, due (`not_before` passed or none). */
export function dueSends(db: Q, sel: BatchSelector, statuses: readonly SendStatus[], nowIso: string): Promise<SendsTable[]> {
  let q = db
    .selectFrom('sends')
    .selectAll()
    .where('status', 'in', [...statuses])
    .where((eb) => eb.or([eb('not_before', 'is', null), eb('not_before', '<=', nowIso)]));
  q =
    'ids' in sel
      ? q.where(inList(dialectOf(db), sql.ref('id'), sel.ids))
      : q.where('campaign_id', '=', sel.campaignId).where('id', '>=', sel.first).where('id', '<=', sel.last);
  return q.orderBy('id').execute();
}

/** The earliest time a selected send still pending will be due, or null when none is pending. */
export async function nextDue(db: Q, sel: BatchSelector, statuses: readonly SendStatus[]): Promise<string | null | 'now'> {
  let q = db
    .selectFrom('sends')
    .select((eb) => [eb.fn.min('not_before').as('at'), eb.fn.countAll<number>().as('n')])
    .where('status', 'in', [...statuses]);
  q =
    'ids' in sel
      ? q.where(inList(dialectOf(db), sql.ref('id'), sel.ids))
      : q.where('campaign_id', '=', sel.campaignId).where('id', '>=', sel.first).where('id', '<=', sel.last);
  const r = await q.executeTakeFirstOrThrow();
  if (Number(r.n) === 0) return null;
  return (r.at as string | null) ?? 'now';
}

/**
 * Moves sends that are still in one of `from` to a new state; returns the ids it moved. The
 * condition makes a repeated or concurrent run harmless: a send another run moved first is not
 * moved (nor counted) again.
 */
export async function moveSends(
  db: Q,
  ids: readonly string[],
  from: readonly SendStatus[],
  set: Partial<Pick<SendsTable, 'status' | 'reason' | 'not_before' | 'tracked' | 'attempts' | 'sent_at' | 'smtp_message_id'>> & {
    updated_at: string;
  },
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('sends')
    .set(set)
    .where(inList(dialectOf(db), sql.ref('id'), ids))
    .where('status', 'in', [...from])
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Marks handed-over sends sent, each with its own Message-ID and tracking flag, in one statement. */
export async function markSent(
  db: Q,
  items: readonly { id: string; messageId: string; tracked: number }[],
  nowIso: string,
): Promise<string[]> {
  if (items.length === 0) return [];
  const ids = items.map((i) => i.id);
  const mid = sql.join(
    items.map((i) => sql`when ${i.id} then ${i.messageId}`),
    sql` `,
  );
  const trackedIds = items.filter((i) => i.tracked === 1).map((i) => i.id);
  const rows = await db
    .updateTable('sends')
    .set({
      status: 'sent',
      reason: null,
      sent_at: nowIso,
      updated_at: nowIso,
      not_before: null,
      attempts: sql<number>`attempts + 1`,
      smtp_message_id: sql<string>`case id ${mid} end`,
      tracked: sql<number>`case when ${inList(dialectOf(db), sql.ref('id'), trackedIds)} then 1 else 0 end`,
    })
    .where(inList(dialectOf(db), sql.ref('id'), ids))
    .where('status', 'in', [...PENDING])
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Campaign totals: adds each (outcome, reason)'s n in one statement (an upsert). */
export async function addCounts(db: Q, campaignId: string, counts: ReadonlyMap<string, number>): Promise<void> {
  // In key order: two batches adding to the same rows lock them in one order, never crosswise.
  const values = [...counts]
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]) => {
      const [outcome, reason] = k.split('\u0000') as [string, string];
      return { campaign_id: campaignId, outcome, reason, n };
    });
  if (values.length === 0) return;
  await db
    .insertInto('campaign_counts')
    .values(values)
    .onConflict((oc) => oc.columns(['campaign_id', 'outcome', 'reason']).doUpdateSet({ n: sql<number>`campaign_counts.n + excluded.n` }))
    .execute();
}

/** The key addCounts reads: outcome and reason ('' for none). */
export const countKey = (outcome: string, reason = '') => `${outcome}\u0000${reason}`;

export interface SendFilter {
  messageId?: string;
  contactId?: string;
  campaignId?: string;
  status?: SendStatus;
}

function filtered(db: Q, f: SendFilter) {
  let q = db.selectFrom('sends');
  if (f.messageId) q = q.where('message_id', '=', f.messageId);
  if (f.contactId) q = q.where('contact_id', '=', f.contactId);
  if (f.campaignId) q = q.where('campaign_id', '=', f.campaignId);
  if (f.status) q = q.where('status', '=', f.status);
  return q;
}

/** Newest first: `after` is the last id of the previous page. */
export function listSends(db: Q, f: SendFilter, limit: number, after?: string): Promise<SendsTable[]> {
  let q = filtered(db, f).selectAll();
  if (after) q = q.where('id', '<', after);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

export async function countSends(db: Q, f: SendFilter): Promise<number> {
  const r = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Ids of a campaign's sends still pending, in id order: what resuming a paused campaign enqueues. */
export const pendingIdsOf = (db: Q, campaignId: string, statuses: readonly SendStatus[]) =>
  db
    .selectFrom('sends')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', [...statuses])
    .orderBy('id')
    .execute()
    .then((rows) => rows.map((r) => r.id));

/** Which of these address keys bounced hard. */
export async function undeliverableAmong(db: Q, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('undeliverable_addresses')
    .select('email_key')
    .where(inList(dialectOf(db), sql.ref('email_key'), keys))
    .execute();
  return new Set(rows.map((r) => r.email_key));
}

/** The message a send carries (the messages service owns writing it). */
export const messageRow = (db: Q, id: string) => db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
