import { sql, type Kysely } from 'kysely';
import { holdCheckpoints } from '../../db/checkpoint-hold.ts';
import { dialectOf, inList } from '../../db/in-list.ts';
import { chunks } from '../../lib/chunks.ts';
import { executeNamed } from '../../db/named.ts';
import type { Database, Db } from '../database.ts';
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

/** insertSends, returning the ids of the rows it inserted (ids ascending: the order their batch jobs take them). */
export async function insertSendsReturning(db: Q, rows: SendsTable[]): Promise<string[]> {
  const ids: string[] = [];
  for (const part of chunks(rows, INSERT_CHUNK)) {
    const r = await db
      .insertInto('sends')
      .values(part)
      .onConflict((oc) => oc.columns(['message_id', 'contact_id', 'origin']).doNothing())
      .returning('id')
      .execute();
    for (const x of r) ids.push(x.id);
  }
  return ids.sort();
}

/** The purpose of each message that exists among `ids`. */
export async function messagePurposes(db: Q, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'purpose'])
    .where(inList(dialectOf(db), sql.ref('id'), ids))
    .execute();
  return new Map(rows.map((r) => [r.id, r.purpose]));
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

/**
 * The hand-over of a group of sends about to be released to the relay: all of them become
 * `sent` (with their Message-ID and tracking flag) and the campaign's `sent` total grows by as
 * many, or, when another run took any of them first, nothing changes and HandOverTaken is thrown.
 * Atomic on its own: `db` is the database (`base.kysely`), or the caller's transaction, which this joins.
 *
 * On PostgreSQL it is one statement, so one round trip where a transaction took four (begin,
 * update, upsert, commit): every message of a campaign waits for it before its terminator. The
 * rows are locked first (`for update`, in id order, so two runs locking some of the same rows
 * cannot deadlock); a concurrent run that locked them first is waited for,
 * and its change is seen (read committed re-reads a locked row), so the count falls short and
 * nothing is moved. On SQLite the same in a transaction: writers are serialised there anyway;
 * its commit runs no automatic checkpoint, which would keep the terminators waiting (ADR 16).
 */
export async function handOverSends(
  base: Db,
  db: Q,
  items: readonly { id: string; messageId: string; tracked: number }[],
  nowIso: string,
  campaignId: string | null,
): Promise<void> {
  if (items.length === 0) return;
  if (dialectOf(db) === 'postgres') {
    const ids = items.map((i) => i.id);
    const statement = sql<{ n: number }>`
      with target as (
        select id from sends where id = any(${ids}::text[]) and status in (${sql.join([...PENDING])}) order by id for update
      ), moved as (
        update sends set status = 'sent', reason = null, sent_at = ${nowIso}, updated_at = ${nowIso}, not_before = null,
          attempts = sends.attempts + 1, smtp_message_id = m.mid, tracked = m.tracked
        from unnest(${ids}::text[], ${items.map((i) => i.messageId)}::text[], ${items.map((i) => i.tracked)}::int4[]) as m(id, mid, tracked)
        where sends.id = m.id and sends.id in (select id from target) and (select count(*) from target) = ${ids.length}
        returning sends.id
      ), counted as (
        insert into campaign_counts (campaign_id, outcome, reason, n)
        select ${campaignId}::text, 'sent', '', count(*) from moved where ${campaignId}::text is not null having count(*) > 0
        on conflict (campaign_id, outcome, reason) do update set n = campaign_counts.n + excluded.n
      )
      select count(*) as n from moved`;
    // A prepared statement, planned once per connection: this runs for every message of a campaign.
    const rows = db.isTransaction ? (await statement.execute(db)).rows : await executeNamed(base, 'assent_hand_over_sends', statement);
    if (Number(rows[0]?.n ?? 0) !== ids.length) throw new HandOverTaken();
    return;
  }
  const run = async (trx: Q) => {
    const moved = await markSent(trx, items, nowIso);
    // Thrown, so the transaction rolls back what this group did move.
    if (moved.length < items.length) throw new HandOverTaken();
    if (campaignId) await addCounts(trx, campaignId, new Map([[countKey('sent'), moved.length]]));
  };
  if (db.isTransaction) return run(db);
  // The terminators go out in the continuations of this commit: no automatic checkpoint inside
  // it (checkpoint-hold.ts), and the hold ends once those continuations have run.
  const release = base.sqlite ? holdCheckpoints(base.sqlite) : () => undefined;
  try {
    await db.transaction().execute(run);
  } finally {
    setImmediate(release);
  }
}

/**
 * Locks the contacts' rows for the rest of the caller's transaction, in id order: two batches
 * checking a frequency cap for the same person then count one after the other. SQLite needs
 * nothing: its transactions take the write lock when they begin.
 */
export async function lockContacts(trx: Q, contactIds: readonly string[]): Promise<void> {
  if (dialectOf(trx) !== 'postgres' || contactIds.length === 0) return;
  await sql`select id from contacts where id = any(${[...new Set(contactIds)]}::text[]) order by id for update`.execute(trx);
}

/** Thrown by a hand-over that found its sends taken by another run: nothing of that group may be released. */
export class HandOverTaken extends Error {
  constructor() {
    super('sends already taken by another run');
  }
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
