import type { Db } from '../../db/connect.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { isId, newId } from '../../lib/ids.ts';
import type { SettingsService } from '../settings/settings.service.ts';
import { toOutboxItem, type MailMessage, type OutboxItem, type OutboxPage, type SendResult } from './mail.model.ts';
import { checkMessage } from './mail.validate.ts';
import { insertOutbox, listOutbox, outboxById } from './outbox.queries.ts';
import { SmtpRelays } from './smtp.relay.ts';

// The same bounds as the API's paging (src/http/pagination.ts), which a service may not import.
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/**
 * Sends one message: through the configured SMTP relay, or, when none is configured, into the
 * local outbox where a developer can read it. Whether the person may receive it (consent) is
 * decided before this is called. Nothing here logs: addresses and subjects are personal data.
 */
export class MailService {
  private readonly relays = new SmtpRelays();

  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    private readonly clock: Clock,
  ) {}

  async send(msg: MailMessage): Promise<SendResult> {
    // Read per send: another process may have changed the relay since the last one.
    const settings = await this.settings.get();
    const from = msg?.from ?? settings.smtp?.from ?? settings.mailFrom;
    const checked = checkMessage(msg, from);
    if (!checked.ok) throw new AppError('validation_failed', 'invalid message', checked.problems);
    const m = checked.message;
    const now = this.clock.now();
    const id = newId(now.getTime());

    if (settings.smtp) {
      const messageId = await this.relays.send(settings.smtp, m);
      return { id, transport: 'smtp', messageId };
    }
    this.relays.release();
    await insertOutbox(this.db.kysely, {
      id,
      contact_id: m.contactId,
      to_address: m.to,
      from_address: m.from,
      subject: m.subject,
      text_body: m.text,
      html_body: m.html,
      headers: JSON.stringify(m.headers),
      purpose: m.purpose,
      created_at: now.toISOString(),
    });
    return { id, transport: 'outbox' };
  }

  /**
   * Newest first. `cursor` is the `next` of the previous page: a bare outbox id, which the
   * HTTP layer wraps in its opaque cursor encoding.
   */
  async listOutbox(opts: { limit?: number; cursor?: string } = {}): Promise<OutboxPage> {
    const limit = opts.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new AppError('validation_failed', `limit must be an integer from 1 to ${MAX_PAGE}`, [{ path: '/limit', message: 'out of range' }]);
    }
    if (opts.cursor !== undefined && !isId(opts.cursor)) throw new AppError('invalid_cursor', 'malformed outbox cursor');
    const rows = await listOutbox(this.db.kysely, { limit, ...(opts.cursor !== undefined && { after: opts.cursor }) });
    const page = rows.slice(0, limit);
    return { items: page.map(toOutboxItem), next: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  async getOutboxItem(id: string): Promise<OutboxItem> {
    const row = isId(id) ? await outboxById(this.db.kysely, id) : undefined;
    if (!row) throw new AppError('not_found', 'no such outbox message');
    return toOutboxItem(row);
  }

  /** Closes pooled SMTP connections; call on shutdown. */
  async close(): Promise<void> {
    this.relays.close();
  }
}
