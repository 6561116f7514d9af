import type { Kysely } from 'kysely';
import type { Caller } from '../consent/module.ts';
import type { Database } from '../database.ts';
import type { PersonMail } from '../mail/module.ts';
import type { MessagesTable } from './email.table.ts';

/**
 * The steps of the send pipeline other parts of the email module provide (frequency caps and
 * quiet hours, templates, tracking and unsubscribe links) and the mail module's delivery, as
 * the engine uses them: ports, so the pipeline is one code path whoever implements them.
 */

/** What the policy says about one recipient now: send, refuse (a cap), or wait until a time (quiet hours). */
export type PolicyAnswer = { ok: true } | { refused: 'frequency_cap' } | { deferUntil: Date };

export interface PolicyStep {
  /** One answer per contact; a contact missing from the map is `ok`. One query per batch. */
  decide(recipients: { contactId: string; purpose: string }[], now: Date): Promise<Map<string, PolicyAnswer>>;
  /**
   * For a purpose that is capped now, how to check its caps again at the hand-over (null: no
   * cap). `decide` ran before rendering, and another batch may have mailed the person since.
   * The check answers the contacts whose caps are full, counted in the caller's transaction
   * after it locked those contacts (`lockContacts`): two batches that both passed `decide` cannot
   * both send past a cap. The rules are read here, once per batch: the check reads nothing but
   * the sends, in the transaction it is given (a read outside it would wait for it on SQLite).
   */
  capCheck(purpose: string): Promise<CapCheck | null>;
}

export type CapCheck = (trx: Kysely<Database>, contactIds: string[], now: Date) => Promise<Set<string>>;

/** The links a message may name, for one send. */
export interface SendLinks {
  unsubscribe_url: string;
  subscription_center_url: string;
  view_in_browser_url: string;
  forward_url: string;
}

/** A contact as templates see it: the API's fields, custom fields included. */
export interface RenderContact {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  company: string | null;
  country: string | null;
  language: string | null;
  birthDate: string | null;
  customFields: Record<string, string | number | boolean | null>;
}

export interface Rendered {
  subject: string;
  html: string;
  text: string | undefined;
}

export interface RenderStep {
  /** Compiles the message once per batch; the function renders it for one recipient. */
  compile(message: MessagesTable): Promise<(contact: RenderContact, links: SendLinks) => Rendered>;
}

/** Links, tracking and the unsubscribe headers for one message's sends in a batch (the signing key read once). */
export interface SendDecorations {
  /** The send's links; the subscription center's is bound to its contact. */
  links(sendId: string, contactId: string): SendLinks;
  /** When `track`, click links rewritten and an open pixel put in; else the HTML unchanged. */
  decorate(html: string, opts: { sendId: string; track: boolean }): string;
  /** `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058). */
  unsubscribeHeaders(sendId: string): Record<string, string>;
}

export interface TrackingStep {
  forBatch(message: MessagesTable): Promise<SendDecorations>;
}

export type BatchItem = PersonMail & { sendId: string };

export type BatchOutcome =
  | { sendId: string; status: 'refused'; reason: string }
  | { sendId: string; status: 'sent'; messageId: string }
  | { sendId: string; status: 'failed'; code: string | number }
  | { sendId: string; status: 'retry'; code: string | number }
  | { sendId: string; status: 'unknown' };

/**
 * The mail module's batch primitive: asks the gate and the suppression list for the batch,
 * then, for the items whose whole message is ready, calls `handOver` (the engine marks those
 * sends sent, atomically); only after it returned are they released.
 */
export interface BatchDelivery {
  sendBatch(
    items: BatchItem[],
    opts: { caller: Caller; handOver: (sendIds: string[], q: Kysely<Database>) => Promise<void> },
  ): Promise<BatchOutcome[]>;
}

export interface EngineSteps {
  policy: PolicyStep;
  render: RenderStep;
  tracking: TrackingStep;
  delivery: BatchDelivery;
}
