import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.ts';
import { emailKey } from '../../lib/email.ts';
import { AppError } from '../../lib/errors.ts';
import { isId, newId } from '../../lib/ids.ts';
import type { ChangeContext, ConsentService } from '../consent/module.ts';
import { contactByEmailKey, contactById } from '../contact-records/module.ts';
import type { Database, Db } from '../database.ts';
import type { SettingsService } from '../settings/module.ts';
import * as q from './bounce.queries.ts';
import { undeliverableAmong } from './send.queries.ts';
import { addressFailed, parseReport, type ParsedReport, type ReportedProblem } from './dsn.parse.ts';
import type { EmailBouncesTable } from './email.table.ts';
import type { Kysely } from 'kysely';

export type BounceSource = EmailBouncesTable['source'];

/**
 * What became of one problem a report named:
 * - `undeliverable`: a hard bounce that says the address failed (`addressFailed`, dsn.parse.ts);
 *   the address is refused from now on;
 * - `consent_lowered`: a complaint; the contact's level is below marketing now (or was already);
 * - `recorded`: a soft bounce, a hard bounce of that message only (5.7.1, 5.2.2…: counted as
 *   bounced, the address stays sendable), or a complaint about an address no contact holds;
 * - `duplicate`: the same report for the same send was received before: nothing done again;
 * - `unmatched`: it names none of our sends (and, from SMTP, that is required) or no address.
 */
export type BounceEffect = 'undeliverable' | 'consent_lowered' | 'recorded' | 'duplicate' | 'unmatched';

export interface BounceOutcome {
  id: string | null;
  kind: ReportedProblem['kind'];
  status: string;
  sendId: string | null;
  contactId: string | null;
  effect: BounceEffect;
}

export interface ReceivedReport {
  report: ParsedReport['report'];
  outcomes: BounceOutcome[];
}

export interface ReceiveOptions {
  source: BounceSource;
  actor: ChangeContext['actor'];
  /**
   * Act only on reports that name one of our sends by its Message-ID. The SMTP endpoint has no
   * authentication: without this anyone reaching its port could mark any address undeliverable
   * or lower anyone's consent. Send ids are random, so a report that names one came from where
   * the mail went (or from someone who saw it).
   */
  requireSend: boolean;
}

export interface Bounce {
  id: string;
  receivedAt: string;
  kind: EmailBouncesTable['kind'];
  address: string;
  contactId: string | null;
  sendId: string | null;
  status: string;
  source: BounceSource;
}

type SendRow = NonNullable<Awaited<ReturnType<typeof q.sendById>>>;

/**
 * Bounces and complaints (issue 14, point 7). A report (RFC 3464 DSN or RFC 5965 ARF, from the
 * API or the SMTP endpoint) is matched to the send it is about by our Message-ID, else (from the
 * API) to a contact by address; then a hard bounce that says the address failed makes it undeliverable, a complaint
 * lowers the contact's consent below marketing (ledger source `complaint`), and a soft bounce is
 * only recorded. Campaign sends add to their campaign's anonymous `bounced` and `complained`
 * totals. Logs carry kinds, codes and effects, never an address.
 */
export class BounceService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly consent: Pick<ConsentService, 'capLevel'>,
    private readonly settings: Pick<SettingsService, 'get'>,
  ) {}

  /**
   * Whether an address bounced hard. The sending path asks the same table for a batch at once
   * (`undeliverableAmong` in send.queries.ts) and refuses those sends with reason `undeliverable`.
   */
  async isUndeliverable(address: string): Promise<boolean> {
    const key = emailKey(address);
    return (await undeliverableAmong(this.db.kysely, [key])).has(key);
  }

  async receive(raw: Buffer, opts: ReceiveOptions): Promise<ReceivedReport> {
    const parsed = await parseReport(raw);
    const outcomes: BounceOutcome[] = [];
    for (const p of parsed.problems) outcomes.push(await this.apply(p, parsed.messageId, opts));
    for (const o of outcomes)
      this.log.info(
        { report: parsed.report, kind: o.kind, status: o.status, source: opts.source, effect: o.effect },
        'email report received',
      );
    return { report: parsed.report, outcomes };
  }

  private async apply(p: ReportedProblem, messageId: string | null, opts: ReceiveOptions): Promise<BounceOutcome> {
    const none = (effect: BounceEffect, sendId: string | null = null, contactId: string | null = null): BounceOutcome => ({
      id: null,
      kind: p.kind,
      status: p.status,
      sendId,
      contactId,
      effect,
    });
    const sendId = messageId ? await this.sendIdOf(messageId) : null;
    if (!sendId && opts.requireSend) return none('unmatched');
    const db = this.db.kysely;
    const send = sendId ? await q.sendById(db, sendId) : undefined;
    // The contact a send went to (a send goes with its contact's erasure), else the address's holder.
    const holder = send ? await contactById(db, send.contact_id) : p.address ? await contactByEmailKey(db, emailKey(p.address)) : undefined;
    // A report about one of our sends is about the address it went to (the report may name
    // another: a forwarding address, or none when a provider redacts it); then the row is the
    // contact's and goes with its erasure. Without a send, the address the report names.
    const address = send ? (holder?.email ?? null) : p.address;
    if (!address) return none('unmatched', send?.id ?? null, holder?.id ?? null);
    if (send && (await q.bounceRecorded(db, send.id, p.kind))) return none('duplicate', send.id, send.contact_id);

    // Before the record, and idempotent (a level already below is left alone): a crash between
    // the two leaves a report that, received again, finishes the work.
    let lowered = false;
    if (p.kind === 'complaint' && holder) lowered = await this.lowerConsent(holder.id, opts.actor);

    const id = newId();
    const now = this.clock.now().toISOString();
    const effect = await this.db.kysely.transaction().execute(async (t) => {
      const locked = send ? await q.sendForUpdate(t, send.id) : undefined;
      if (send && (!locked || (await q.bounceRecorded(t, send.id, p.kind)))) return 'duplicate' as const;
      await q.insertBounce(t, {
        id,
        received_at: now,
        kind: p.kind,
        address,
        contact_id: holder?.id ?? null,
        send_id: locked?.id ?? null,
        status: p.status,
        source: opts.source,
      });
      // Only a failure of the address itself stops later mail; a hard bounce of that message alone
      // (a policy block, a full mailbox) is counted and kept, and the next message may arrive.
      const unusable = p.kind === 'hard' && addressFailed(p.status);
      if (unusable) await q.markUndeliverable(t, { email_key: emailKey(address), address, since: now, bounce_id: id });
      if (locked?.campaign_id) await this.count(t, locked, p);
      return unusable ? 'undeliverable' : lowered ? 'consent_lowered' : 'recorded';
    });
    if (effect === 'duplicate') return none('duplicate', send?.id ?? null, holder?.id ?? null);
    return { id, kind: p.kind, status: p.status, sendId: send?.id ?? null, contactId: holder?.id ?? null, effect };
  }

  private async count(t: Kysely<Database>, send: SendRow, p: ReportedProblem): Promise<void> {
    // Soft bounces are transient: the campaign's totals count what ended the mail's way.
    if (p.kind === 'hard') await q.addCampaignCount(t, send.campaign_id!, 'bounced', p.status);
    if (p.kind === 'complaint') await q.addCampaignCount(t, send.campaign_id!, 'complained', p.status);
  }

  /** Caps the contact's stored level just below what marketing needs; true when it is below now. */
  private async lowerConsent(contactId: string, actor: ChangeContext['actor']): Promise<boolean> {
    const marketing = (await this.settings.get()).purposes.marketing ?? 4;
    try {
      await this.consent.capLevel(contactId, Math.max(0, marketing - 1), { source: 'complaint', actor });
      return true;
    } catch (e) {
      // Erased since the send: there is no consent left to lower.
      if (e instanceof AppError && e.code === 'not_found') return false;
      throw e;
    }
  }

  /** Our Message-ID is `<send id@domain>`: the local part names the send, the stored header confirms it. */
  private async sendIdOf(messageId: string): Promise<string | null> {
    const header = `<${messageId}>`;
    const local = messageId.slice(0, messageId.lastIndexOf('@'));
    if (isId(local)) {
      const s = await q.sendById(this.db.kysely, local);
      if (s && (s.smtp_message_id === null || s.smtp_message_id.toLowerCase() === header.toLowerCase())) return s.id;
    }
    return (await q.sendIdByMessageId(this.db.kysely, header)) ?? null;
  }

  async list(f: q.BounceFilter, limit: number, before?: string): Promise<Bounce[]> {
    return (await q.listBounces(this.db.kysely, f, limit, before)).map(toBounce);
  }

  total(f: q.BounceFilter): Promise<number> {
    return q.countBounces(this.db.kysely, f);
  }
}

function toBounce(r: EmailBouncesTable): Bounce {
  return {
    id: r.id,
    receivedAt: r.received_at,
    kind: r.kind,
    address: r.address,
    contactId: r.contact_id,
    sendId: r.send_id,
    status: r.status,
    source: r.source,
  };
}
