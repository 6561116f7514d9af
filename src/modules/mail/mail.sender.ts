import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { Caller } from '../consent/module.ts';
import type { Db } from '../database.ts';
import type { MailMessage, OutboxItem, OutboxPage, SendResult } from './mail.model.ts';
import { MailService } from './mail.service.ts';

/** The consent gate, as the sender asks it (the consent module's ConsentService is one). */
export interface MailGate {
  /** Refuses with `not_found` when no such contact exists (any more). */
  check(contactId: string, purpose: string, opts: { caller: Caller }): Promise<{ allowed: boolean; reason: string }>;
  /** The answer for an address no contact holds: nothing is recorded about it, so it counts as level 0. */
  checkUnknown(purpose: string, opts: { caller: Caller }): Promise<{ allowed: boolean; reason: string }>;
}

/** Addresses an erasure suppressed, as the sender asks about them. */
export interface MailSuppressions {
  isSuppressed(email: string): Promise<boolean>;
}

/** A message to a person: what it is for and who sends it, beside what it says. */
export interface PersonMail extends Omit<MailMessage, 'purpose' | 'contactId'> {
  purpose: string;
  caller: Caller;
  /** The contact the address belongs to; null for an address no contact holds (a data request's requester, say). */
  contactId: string | null;
}

/** `reason`: the gate's reason for refusing, or `suppressed`. */
export type Refused = { sent: false; reason: string };
export type Delivery = { sent: true; result: SendResult } | Refused;
/** Under a key: also handled by an earlier call (sent, begun by a process that died before the relay answered, or refused then). */
export type KeyedDelivery = Delivery | { sent: false; earlier: 'pending' | 'done' | 'skipped' };

/**
 * What a suppressed address may still receive: an answer to the person's own action (a data
 * request's verification link or reply). Suppression keeps an erased person from being added
 * and written to again; it must not keep them from asking what is held about them.
 */
const SUPPRESSION_LETS_THROUGH = new Set(['requested']);

/**
 * The only way to mail a person: asks the consent gate for the message's purpose and caller,
 * checks suppression, and only then hands the message to the transport. The transport
 * (mail.service.ts) is built here and never handed out (the import-rule test holds every other
 * file to that), so nothing reaches it with a person's address without passing the gate. An
 * address no contact holds has no consent recorded: the gate answers for it as for level 0, so
 * only what needs nothing (`requested`) reaches it while data protection is on.
 */
export class MailSender {
  private readonly transport: MailService;

  constructor(
    db: Db,
    settings: ConstructorParameters<typeof MailService>[1],
    clock: Clock,
    private readonly gate: MailGate,
    private readonly suppressions: MailSuppressions,
  ) {
    this.transport = new MailService(db, settings, clock);
  }

  /** With a `key` (ids only), the message is sent at most once under it however often this is called (MailService.sendOnce). */
  async send(msg: PersonMail): Promise<Delivery>;
  async send(msg: PersonMail, key: string | undefined): Promise<KeyedDelivery>;
  async send(msg: PersonMail, key?: string): Promise<KeyedDelivery> {
    const { caller, contactId, ...rest } = msg;
    let contact = contactId;
    let answer = contact
      ? await this.gate.check(contact, msg.purpose, { caller }).catch((e: unknown) => {
          if (e instanceof AppError && e.code === 'not_found') return null;
          throw e;
        })
      : null;
    // A contact erased meanwhile: its address is now an address no contact holds.
    if (!answer) {
      contact = null;
      answer = await this.gate.checkUnknown(msg.purpose, { caller });
    }
    if (!answer.allowed) return { sent: false, reason: answer.reason };
    if (!SUPPRESSION_LETS_THROUGH.has(msg.purpose) && (await this.suppressions.isSuppressed(msg.to)))
      return { sent: false, reason: 'suppressed' };
    const out: MailMessage = { ...rest, ...(contact ? { contactId: contact } : {}) };
    if (key === undefined) return { sent: true, result: await this.transport.send(out) };
    const r = await this.transport.sendOnce(key, out);
    return r.sent ? { sent: true, result: r.result } : { sent: false, earlier: r.earlier };
  }

  /** The local outbox, newest first (what the outbox routes show, redacted). */
  listOutbox(opts: { limit?: number; cursor?: string } = {}): Promise<OutboxPage> {
    return this.transport.listOutbox(opts);
  }

  getOutboxItem(id: string): Promise<OutboxItem> {
    return this.transport.getOutboxItem(id);
  }

  /** Closes pooled SMTP connections; call on shutdown. */
  close(): Promise<void> {
    return this.transport.close();
  }
}
