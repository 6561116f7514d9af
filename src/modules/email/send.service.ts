import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { contactById } from '../contact-records/module.ts';
import type { Database, Db } from '../database.ts';
import { type Send, toSend } from './campaign.model.ts';
import type { SendsTable } from './email.table.ts';
import type { EngineJobs } from './engine.jobs.ts';
import {
  countSends,
  insertSends,
  insertSendsReturning,
  listSends,
  messagePurposes,
  messageRow,
  type SendFilter,
  sendByKey,
} from './send.queries.ts';

/**
 * Sends to one contact (a staff member's direct send) and the listing of sends. A direct send
 * is a send row and a batch job in one transaction; the job runs the same pipeline as a
 * campaign's batches. An idempotency key makes the origin `direct:<key>`, so a client that
 * repeats its request gets the first send back and mails no one twice.
 */
export class SendService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly engineJobs: EngineJobs,
  ) {}

  async sendToContact(messageId: string, contactId: string, idempotencyKey?: string): Promise<Send> {
    const message = await messageRow(this.db.kysely, messageId);
    if (!message) throw new AppError('not_found', 'no such message');
    if (!(await contactById(this.db.kysely, contactId)))
      throw new AppError('validation_failed', 'no such contact', [{ path: '/contactId', message: 'no such contact' }]);
    const now = this.clock.now();
    const iso = now.toISOString();
    const origin = `direct:${idempotencyKey ?? newId(now.getTime())}`;
    const row: SendsTable = {
      id: newId(now.getTime()),
      message_id: messageId,
      contact_id: contactId,
      origin,
      campaign_id: null,
      purpose: message.purpose,
      status: 'queued',
      reason: null,
      tracked: 0,
      attempts: 0,
      not_before: null,
      smtp_message_id: null,
      queued_at: iso,
      sent_at: null,
      updated_at: iso,
    };
    await this.db.kysely.transaction().execute(async (trx) => {
      if ((await insertSends(trx, [row])) === 1) await this.engineJobs.enqueueSend(row.id, trx);
    });
    const stored = await sendByKey(this.db.kysely, messageId, contactId, origin);
    if (!stored) throw new AppError('not_found', 'no such contact');
    return toSend(stored);
  }

  /**
   * Sends made by another module's step inside its own transaction (a journey's email tile):
   * the rows and their batch jobs commit with the step, so a mail is asked for exactly when the
   * step is recorded. A (message, contact, origin) that exists already is kept and not queued
   * again. Returns the ids of the sends it inserted.
   */
  async queueInTransaction(
    trx: Transaction<Database>,
    items: readonly { messageId: string; contactId: string; origin: string }[],
  ): Promise<string[]> {
    if (items.length === 0) return [];
    const purposes = await this.purposesOf(
      trx,
      items.map((i) => i.messageId),
    );
    const now = this.clock.now();
    const at = now.toISOString();
    const rows: SendsTable[] = items.map((i) => {
      const purpose = purposes.get(i.messageId);
      if (purpose === undefined) throw new AppError('not_found', 'no such message');
      return {
        id: newId(now.getTime()),
        message_id: i.messageId,
        contact_id: i.contactId,
        origin: i.origin,
        campaign_id: null,
        purpose,
        status: 'queued',
        reason: null,
        tracked: 0,
        attempts: 0,
        not_before: null,
        smtp_message_id: null,
        queued_at: at,
        sent_at: null,
        updated_at: at,
      };
    });
    const ids = await insertSendsReturning(trx, rows);
    await this.engineJobs.enqueueSends(ids, trx);
    return ids;
  }

  /** The purposes of the messages that exist among `ids`, read in `db` (a caller's transaction). */
  async purposesOf(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
    return messagePurposes(db, [...new Set(ids)]);
  }

  async list(f: SendFilter, limit: number, after?: string): Promise<Send[]> {
    return (await listSends(this.db.kysely, f, limit, after)).map(toSend);
  }

  total(f: SendFilter): Promise<number> {
    return countSends(this.db.kysely, f);
  }
}
