import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { ForwardMessagesTable, ForwardRecipientsTable, ForwardStatus } from './forward.table.ts';

type Q = Kysely<Database>;

/** Inserts the forward unless one of its send and friend exists (the friend gets it once); true when inserted. */
export async function insertForward(db: Q, row: ForwardMessagesTable, recipient: ForwardRecipientsTable): Promise<boolean> {
  const r = await db
    .insertInto('forward_messages')
    .values(row)
    .onConflict((oc) => oc.column('friend_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!r) return false;
  await db.insertInto('forward_recipients').values(recipient).execute();
  return true;
}

export interface ForwardRow extends ForwardMessagesTable {
  email: string | null;
}

export function forwardById(db: Q, id: string): Promise<ForwardRow | undefined> {
  return db
    .selectFrom('forward_messages')
    .leftJoin('forward_recipients', 'forward_recipients.forward_id', 'forward_messages.id')
    .selectAll('forward_messages')
    .select('forward_recipients.email')
    .where('forward_messages.id', '=', id)
    .executeTakeFirst();
}

/**
 * Ends a forward: its status, and for anything but a sent one the friend's address goes at once
 * (it was kept only to send the message). A sent one's stays until the retention removes it.
 */
export async function finish(db: Q, id: string, status: Exclude<ForwardStatus, 'queued'>, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('forward_messages')
      .set({ status, sent_at: status === 'sent' ? at : null })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .execute();
    if (status !== 'sent') await trx.deleteFrom('forward_recipients').where('forward_id', '=', id).execute();
  });
}
