import type { Kysely } from 'kysely';
import { dialectOf } from '../../db/in-list.ts';
import type { Database } from '../database.ts';
import type { EmailBouncesTable } from './email.table.ts';

/*
 * Every SQL of bounces and complaints: the received reports, the undeliverable addresses, and
 * the few reads of sends and counts that matching a report needs. `(db | trx, ...) -> rows`.
 */
type Q = Kysely<Database>;

/** Marks an address undeliverable; the first hard bounce stays the one it names. */
export async function markUndeliverable(db: Q, row: { email_key: string; address: string; since: string; bounce_id: string }) {
  await db
    .insertInto('undeliverable_addresses')
    .values(row)
    .onConflict((oc) => oc.column('email_key').doNothing())
    .execute();
}

/** Lets an address be sent to again (an admin who knows the mailbox works now). */
export async function clearUndeliverable(db: Q, key: string): Promise<boolean> {
  const r = await db.deleteFrom('undeliverable_addresses').where('email_key', '=', key).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export const insertBounce = (db: Q, row: EmailBouncesTable) => db.insertInto('email_bounces').values(row).execute();

/** Whether a report of this kind was recorded for the send already (the same report received twice). */
export async function bounceRecorded(db: Q, sendId: string, kind: EmailBouncesTable['kind']): Promise<boolean> {
  const r = await db
    .selectFrom('email_bounces')
    .select('id')
    .where('send_id', '=', sendId)
    .where('kind', '=', kind)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

const sendColumns = ['id', 'contact_id', 'campaign_id', 'smtp_message_id'] as const;

/** The send a report names, with the campaign it belongs to. */
export const sendById = (db: Q, id: string) => db.selectFrom('sends').select(sendColumns).where('id', '=', id).executeTakeFirst();

/** The same, locked until the transaction ends (PostgreSQL; SQLite has one writer), so two copies of one report are recorded once. */
export function sendForUpdate(db: Q, id: string) {
  const q = db.selectFrom('sends').select(sendColumns).where('id', '=', id);
  return (dialectOf(db) === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
}

/** A send by the Message-ID header it went out with (`<…>`, as stored). */
export async function sendIdByMessageId(db: Q, header: string): Promise<string | undefined> {
  const r = await db.selectFrom('sends').select('id').where('smtp_message_id', '=', header).limit(1).executeTakeFirst();
  return r?.id;
}

/** Adds to a campaign's anonymous totals. */
export async function addCampaignCount(db: Q, campaignId: string, outcome: string, reason: string, n = 1): Promise<void> {
  await db
    .insertInto('campaign_counts')
    .values({ campaign_id: campaignId, outcome, reason, n })
    .onConflict((oc) => oc.columns(['campaign_id', 'outcome', 'reason']).doUpdateSet((eb) => ({ n: eb('campaign_counts.n', '+', n) })))
    .execute();
}

export interface BounceFilter {
  kind?: string;
  contactId?: string;
}

/** Newest first (ids are time-ordered), after the cursor's row. */
export function listBounces(db: Q, f: BounceFilter, limit: number, before?: string) {
  let q = db.selectFrom('email_bounces').selectAll();
  if (f.kind) q = q.where('kind', '=', f.kind as EmailBouncesTable['kind']);
  if (f.contactId) q = q.where('contact_id', '=', f.contactId);
  if (before) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

export async function countBounces(db: Q, f: BounceFilter): Promise<number> {
  let q = db.selectFrom('email_bounces').select((eb) => eb.fn.countAll<number>().as('n'));
  if (f.kind) q = q.where('kind', '=', f.kind as EmailBouncesTable['kind']);
  if (f.contactId) q = q.where('contact_id', '=', f.contactId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}
