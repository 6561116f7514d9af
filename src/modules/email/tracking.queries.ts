import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { MessagesTable } from './email.table.ts';

/** What a link of a send needs to know: the send, and the message it carried. */
export interface LinkedSend {
  id: string;
  contact_id: string;
  campaign_id: string | null;
  tracked: number;
  message_id: string;
  name: string;
  purpose: string;
  list_id: string | null;
  subject: string;
  html: string;
  text: string | null;
}

/** The send a link names, with its message; undefined when there is none (never made, or erased with its contact). */
export function linkedSend(db: Kysely<Database>, sendId: string): Promise<LinkedSend | undefined> {
  return db
    .selectFrom('sends')
    .innerJoin('messages', 'messages.id', 'sends.message_id')
    .select([
      'sends.id',
      'sends.contact_id',
      'sends.campaign_id',
      'sends.tracked',
      'sends.message_id',
      'messages.name',
      'messages.purpose',
      'messages.list_id',
      'messages.subject',
      'messages.html',
      'messages.text',
    ])
    .where('sends.id', '=', sendId)
    .executeTakeFirst();
}

/** One more of a campaign's anonymous totals (`opened`, `clicked`, `unsubscribed`), in the caller's transaction. */
export async function countForCampaign(trx: Kysely<Database>, campaignId: string, outcome: string): Promise<void> {
  await trx
    .insertInto('campaign_counts')
    .values({ campaign_id: campaignId, outcome, reason: '', n: 1 })
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'outcome', 'reason']).doUpdateSet((eb) => ({ n: eb('campaign_counts.n', '+', eb.ref('excluded.n')) })),
    )
    .execute();
}

/** A message's row, as the template step compiles it. */
export function messageById(db: Kysely<Database>, id: string): Promise<MessagesTable | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}
