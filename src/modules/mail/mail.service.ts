import { tableTotal } from '../../db/estimate.ts';
import type { Db } from '../database.ts';
import { SideEffects, type EffectStatus } from '../../jobs/effects.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { isId, newId } from '../../lib/ids.ts';
import type { DkimSettings, SettingsService, SmtpSettings } from '../settings/module.ts';
import type { DkimKey } from './dkim.ts';
import { toOutboxItem, type KeyedSend, type MailMessage, type OutboxItem, type OutboxPage, type SendResult } from './mail.model.ts';
import { checkMessage, type CheckedMessage } from './mail.validate.ts';
import type { OutboxTable } from './outbox.table.ts';
import { insertOutbox, listOutbox, outboxById } from './outbox.queries.ts';
import { certainlyNotSent, configKey, SmtpRelays } from './smtp.relay.ts';
import { type BatchOutcome, type ComposedItem, deliverOverRelay, type HandOver } from './batch.delivery.ts';
import { composeMessage, envelopeFrom, messageIdFor } from './mail.compose.ts';
import { RelayLanes } from './relay.lanes.ts';
import { RelayRate } from './relay.rate.ts';

/** The stored setting always holds its key (the settings service refuses one without); a setting without one signs nothing. */
function dkimKey(d: DkimSettings | null): DkimKey | null {
  return d?.privateKey ? { domain: d.domain, selector: d.selector, privateKey: d.privateKey } : null;
}

/** A failed record is claimed again, so claim() never reports one. */
function earlier(status: EffectStatus): 'pending' | 'done' | 'skipped' {
  return status === 'failed' ? 'pending' : status;
}

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
  private readonly effects: SideEffects;
  private readonly rate: RelayRate;
  private lanes: RelayLanes | null = null;

  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    private readonly clock: Clock,
  ) {
    this.effects = new SideEffects(db, clock);
    this.rate = new RelayRate(db);
  }

  async send(msg: MailMessage): Promise<SendResult> {
    const { smtp, m } = await this.prepare(msg);
    const row = this.outboxRow(m);
    if (smtp) {
      await this.rate.take(smtp);
      return { id: row.id, transport: 'smtp', messageId: await this.relays.send(smtp, m) };
    }
    this.relays.release();
    await insertOutbox(this.db.kysely, row);
    return { id: row.id, transport: 'outbox' };
  }

  /**
   * Sends at most once under `key` (ids only: a job's key, say), however often it is called.
   * Through a relay the key is recorded before the message leaves and marked done after the
   * relay took it; a process that dies between the two leaves it pending, and pending is never
   * sent again: at most once, never twice, since whether the relay took it cannot be known. A
   * relay's refusal marks it failed, and a later call sends. Into the outbox, the record and the
   * message are one transaction: exactly once.
   */
  async sendOnce(key: string, msg: MailMessage): Promise<KeyedSend> {
    const { smtp, m } = await this.prepare(msg);
    const row = this.outboxRow(m);
    if (!smtp) {
      this.relays.release();
      return this.db.kysely.transaction().execute(async (trx): Promise<KeyedSend> => {
        const claim = await this.effects.claim(key, trx);
        if (!claim.claimed) return { sent: false, earlier: earlier(claim.status) };
        await insertOutbox(trx, row);
        await this.effects.finish(key, 'done', trx);
        return { sent: true, result: { id: row.id, transport: 'outbox' } };
      });
    }
    const claim = await this.effects.claim(key);
    if (!claim.claimed) return { sent: false, earlier: earlier(claim.status) };
    let messageId: string;
    try {
      await this.rate.take(smtp);
      messageId = await this.relays.send(smtp, m);
    } catch (e) {
      if (certainlyNotSent(e)) await this.effects.finish(key, 'failed');
      throw e;
    }
    await this.effects.finish(key, 'done');
    return { sent: true, result: { id: row.id, transport: 'smtp', messageId } };
  }

  /**
   * Delivers a batch of messages, each under its send id, exactly once into the outbox and
   * without doubles through a relay: `handOver` marks the sends (in the outbox's transaction,
   * or atomically on its own), and a relay gets a message's terminator only after it returned
   * (batch.delivery.ts says why that holds through a crash). Whether each may be sent was
   * decided before (the gated sender). A message that fails the checks is refused
   * (`invalid_address` for its recipient, `invalid_message` otherwise) and not handed over.
   */
  async deliverBatch(items: { sendId: string; msg: MailMessage }[], handOver: HandOver): Promise<BatchOutcome[]> {
    const settings = await this.settings.get();
    const out: BatchOutcome[] = new Array(items.length);
    const ok: { at: number; sendId: string; messageId: string; m: CheckedMessage }[] = [];
    items.forEach(({ sendId, msg }, at) => {
      const from = msg?.from ?? settings.smtp?.from ?? settings.mailFrom;
      const checked = checkMessage(msg, from);
      if (!checked.ok) {
        const reason = checked.problems.some((p) => p.path === '/to') ? 'invalid_address' : 'invalid_message';
        out[at] = { sendId, status: 'refused', reason };
      } else {
        // The caller's own `<sendId@…>` (the engine stores it with the send) is kept; any other is replaced.
        const { headers, ...m } = checked.message;
        const given = Object.entries(headers).find(([k]) => k.toLowerCase() === 'message-id')?.[1];
        const rest = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'message-id'));
        const messageId = given?.startsWith(`<${sendId}@`) && /^<[^<>\s]+@[^<>\s]+>$/.test(given) ? given : messageIdFor(sendId, from);
        ok.push({ at, sendId, messageId, m: { ...m, headers: rest } });
      }
    });
    if (ok.length === 0) return out;
    const smtp = settings.smtp;
    if (!smtp) {
      this.relays.release();
      this.releaseLanes();
      // The rows and the caller's marks are one transaction: exactly once. A hand-over that
      // fails for the batch (another run took some of its sends) is tried once per send, so
      // the ones still free go now; each refused one is `retry` with code `handover`.
      const into = (group: typeof ok) =>
        this.db.kysely.transaction().execute(async (trx) => {
          for (const o of group)
            await insertOutbox(trx, this.outboxRow({ ...o.m, headers: { ...o.m.headers, 'Message-ID': o.messageId } }));
          await handOver(
            group.map((o) => o.sendId),
            trx,
          );
        });
      const done = (o: (typeof ok)[number], sent: boolean) => {
        out[o.at] = sent
          ? { sendId: o.sendId, status: 'sent', messageId: o.messageId }
          : { sendId: o.sendId, status: 'retry', code: 'handover' };
      };
      try {
        await into(ok);
        for (const o of ok) done(o, true);
      } catch {
        for (const o of ok)
          done(
            o,
            await into([o]).then(
              () => true,
              () => false,
            ),
          );
      }
      return out;
    }
    const now = this.clock.now();
    const composed: ComposedItem[] = await Promise.all(
      ok.map(async (o) => ({
        sendId: o.sendId,
        messageId: o.messageId,
        envelope: { from: envelopeFrom(o.m.from), to: [o.m.to] },
        bytes: await composeMessage(o.m, o.messageId, now, dkimKey(settings.dkim)),
      })),
    );
    const results = await deliverOverRelay(
      this.lanesFor(smtp),
      composed,
      (ids) => handOver(ids, this.db.kysely),
      () => this.rate.take(smtp),
    );
    ok.forEach((o, i) => {
      out[o.at] = results[i]!;
    });
    return out;
  }

  /** The batch sender's connections: one set per relay configuration, like the pool of `send`. */
  private lanesFor(smtp: SmtpSettings): RelayLanes {
    const key = configKey(smtp);
    if (this.lanes?.key !== key) {
      this.releaseLanes();
      this.lanes = new RelayLanes(smtp);
    }
    return this.lanes;
  }

  private releaseLanes(): void {
    this.lanes?.close();
    this.lanes = null;
  }

  /** Checks the message against the settings read now: another process may have changed the relay since the last send. */
  private async prepare(msg: MailMessage): Promise<{ smtp: SmtpSettings | null; m: CheckedMessage }> {
    const settings = await this.settings.get();
    const from = msg?.from ?? settings.smtp?.from ?? settings.mailFrom;
    const checked = checkMessage(msg, from);
    if (!checked.ok) throw new AppError('validation_failed', 'invalid message', checked.problems);
    return { smtp: settings.smtp, m: checked.message };
  }

  private outboxRow(m: CheckedMessage): OutboxTable {
    const now = this.clock.now();
    return {
      id: newId(now.getTime()),
      contact_id: m.contactId,
      to_address: m.to,
      from_address: m.from,
      subject: m.subject,
      text_body: m.text,
      html_body: m.html,
      headers: JSON.stringify(m.headers),
      purpose: m.purpose,
      created_at: now.toISOString(),
    };
  }

  /**
   * Newest first. `cursor` is the `next` of the previous page: a bare outbox id, which the
   * HTTP layer wraps in its opaque cursor encoding.
   */
  async listOutbox(opts: { limit?: number; cursor?: string } = {}): Promise<OutboxPage> {
    const limit = opts.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new AppError('validation_failed', `limit must be an integer from 1 to ${MAX_PAGE}`, [
        { path: '/limit', message: 'out of range' },
      ]);
    }
    if (opts.cursor !== undefined && !isId(opts.cursor)) throw new AppError('invalid_cursor', 'malformed outbox cursor');
    const rows = await listOutbox(this.db.kysely, { limit, ...(opts.cursor !== undefined && { after: opts.cursor }) });
    const page = rows.slice(0, limit);
    const total = await tableTotal(this.db.kysely, 'outbox');
    return { items: page.map(toOutboxItem), next: rows.length > limit ? page[page.length - 1]!.id : null, total };
  }

  async getOutboxItem(id: string): Promise<OutboxItem> {
    const row = isId(id) ? await outboxById(this.db.kysely, id) : undefined;
    if (!row) throw new AppError('not_found', 'no such outbox message');
    return toOutboxItem(row);
  }

  /** Closes pooled SMTP connections; call on shutdown. */
  async close(): Promise<void> {
    this.relays.close();
    this.releaseLanes();
  }
}
