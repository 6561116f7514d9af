import type { Clock } from '../../lib/clock.ts';
import type { Caller } from '../consent/module.ts';
import type { Db } from '../database.ts';
import type { BatchOutcome, HandOver } from './batch.delivery.ts';
import type { MailMessage, OutboxItem, OutboxPage, SendResult } from './mail.model.ts';
import { MailService } from './mail.service.ts';

type GateAnswer = { allowed: boolean; reason: string };

/** The consent gate, as the sender asks it (the consent module's ConsentService is one). */
export interface MailGate {
  /** One question for many contacts; a contact that does not exist (any more) is left out of the answer. */
  checkMany(contactIds: string[], purpose: string, opts: { caller: Caller }): Promise<Map<string, GateAnswer>>;
  /** The answer for an address no contact holds: nothing is recorded about it, so it counts as level 0. */
  checkUnknown(purpose: string, opts: { caller: Caller }): Promise<GateAnswer>;
}

/** Addresses an erasure suppressed, as the sender asks about them. */
export interface MailSuppressions {
  /** Which of these addresses are suppressed (the ones given, as given). */
  among(emails: string[]): Promise<Set<string>>;
}

/** A message to a person: what it is for and who sends it, beside what it says. */
export interface PersonMail extends Omit<MailMessage, 'purpose' | 'contactId'> {
  purpose: string;
  caller: Caller;
  /** The contact the address belongs to; null for an address no contact holds (a data request's requester, say). */
  contactId: string | null;
}

/** One message of a batch: its send id names it in the outcome, the hand-over and its Message-ID. */
export type BatchMail = PersonMail & { sendId: string };
export type { BatchOutcome, HandOver };

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
    const [admitted] = await this.admit([msg], msg.caller);
    if (!admitted!.ok) return { sent: false, reason: admitted!.reason };
    const out = admitted!.message;
    if (key === undefined) return { sent: true, result: await this.transport.send(out) };
    const r = await this.transport.sendOnce(key, out);
    return r.sent ? { sent: true, result: r.result } : { sent: false, earlier: r.earlier };
  }

  /**
   * Sends a batch (a campaign's, say): the gate asked once per purpose for all of it, the
   * suppression list once, by the same rules as `send` (admit); then the transport delivers what
   * passed and calls `handOver(sendIds, q)` for the sends it is about to complete
   * (MailService.deliverBatch says when `q` is a transaction): one outcome per item, in order.
   */
  async sendBatch(items: BatchMail[], opts: { caller: Caller; handOver: HandOver }): Promise<BatchOutcome[]> {
    const admitted = await this.admit(items, opts.caller);
    const out: BatchOutcome[] = new Array(items.length);
    const go: { at: number; sendId: string; msg: MailMessage }[] = [];
    admitted.forEach((a, at) => {
      const sendId = items[at]!.sendId;
      if (a.ok) go.push({ at, sendId, msg: a.message });
      else out[at] = { sendId, status: 'refused', reason: a.reason };
    });
    const delivered = go.length ? await this.transport.deliverBatch(go, opts.handOver) : [];
    go.forEach((g, i) => {
      out[g.at] = delivered[i]!;
    });
    return out;
  }

  /**
   * The one rule for who may be mailed, for one message or many: the gate for each message's
   * purpose and caller (a contact, or, for an address no contact holds or a contact erased
   * meanwhile, as level 0), then suppression (what SUPPRESSION_LETS_THROUGH lets pass is not
   * asked about). One gate question per purpose and one suppression lookup for the batch.
   */
  private async admit(msgs: PersonMail[], caller: Caller): Promise<({ ok: true; message: MailMessage } | (Refused & { ok: false }))[]> {
    const answers: { answer: GateAnswer; contact: string | null }[] = new Array(msgs.length);
    const byPurpose = new Map<string, number[]>();
    msgs.forEach((m, i) => byPurpose.set(m.purpose, [...(byPurpose.get(m.purpose) ?? []), i]));
    for (const [purpose, at] of byPurpose) {
      const ids = at.map((i) => msgs[i]!.contactId).filter((c): c is string => c !== null);
      const known = ids.length ? await this.gate.checkMany(ids, purpose, { caller }) : new Map<string, GateAnswer>();
      let unknown: GateAnswer | undefined;
      for (const i of at) {
        const c = msgs[i]!.contactId;
        const a = c === null ? undefined : known.get(c);
        // A contact erased meanwhile: its address is now an address no contact holds.
        if (a) answers[i] = { answer: a, contact: c };
        else answers[i] = { answer: (unknown ??= await this.gate.checkUnknown(purpose, { caller })), contact: null };
      }
    }
    const ask = msgs.filter((m, i) => answers[i]!.answer.allowed && !SUPPRESSION_LETS_THROUGH.has(m.purpose)).map((m) => m.to);
    const suppressed = ask.length ? await this.suppressions.among(ask) : new Set<string>();
    return msgs.map((m, i) => {
      const { answer, contact } = answers[i]!;
      if (!answer.allowed) return { ok: false, sent: false, reason: answer.reason };
      if (!SUPPRESSION_LETS_THROUGH.has(m.purpose) && suppressed.has(m.to)) return { ok: false, sent: false, reason: 'suppressed' };
      const { caller: _caller, contactId: _contact, ...rest } = m as PersonMail & { sendId?: string };
      delete (rest as { sendId?: string }).sendId;
      return { ok: true, message: { ...rest, ...(contact ? { contactId: contact } : {}) } };
    });
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
