import type { Limit, RateLimiter } from '../../http/rate-limit.ts';
import { negotiate } from '../../i18n/catalogue.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Clock } from '../../lib/clock.ts';
import { hmac } from '../../lib/crypto.ts';
import { emailKey, isValidEmail, normaliseEmail } from '../../lib/email.ts';
import { AppError, isAppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ConsentService } from '../consent/module.ts';
import { contactsByEmailKeys } from '../contact-records/module.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { Db } from '../database.ts';
import type { SentMessages } from '../email/module.ts';
import type { MailSender } from '../mail/module.ts';
import type { SettingsService } from '../settings/module.ts';
import type { SuppressionService } from '../suppression/module.ts';
import type { ForwardLink, ForwardLinks } from './forward.links.ts';
import { cleanNote, forwardMail } from './forward.message.ts';
import * as q from './forward.queries.ts';

/** The queue of forwards waiting to be sent (payload: the forward's id only). */
export const FORWARD_QUEUE = 'forward.send';
/** Per client address: a person forwards to a few friends; a script walking links or addresses is stopped (429). */
export const PER_CLIENT: Limit = { scope: 'forward:ip', max: 20, windowMs: 60 * 60_000 };
/** Per link (its send): a few friends a day, not a list. More are dropped silently (the same answer). */
export const PER_LINK: Limit = { scope: 'forward:link', max: 5, windowMs: 86_400_000 };
/** Per friend's address, from anyone: nobody is flooded with forwards. More are dropped silently. */
export const PER_FRIEND: Limit = { scope: 'forward:email', max: 3, windowMs: 86_400_000 };
export const NOTE_MAX = 500;
/** What a forward needs of the sender, asked of the consent gate: the message is marketing. */
export const FORWARD_PURPOSE = 'marketing';

/** What the page posts, as the contract names it (u-contract.md). */
export interface ForwardInput {
  friendEmail: string;
  note?: string;
}

export interface ForwardContext {
  ip: string;
  userAgent: string | null;
}

export interface ForwardDeps {
  settings: Pick<SettingsService, 'get'>;
  secret: { key(): Promise<Buffer> };
  consent: Pick<ConsentService, 'check' | 'checkMany'>;
  contacts: Pick<ContactsService, 'get'>;
  suppressions: Pick<SuppressionService, 'isSuppressed'>;
  sentMessages: Pick<SentMessages, 'send' | 'copy' | 'undeliverable'>;
  mail: Pick<MailSender, 'send'>;
  limiter: Pick<RateLimiter, 'check' | 'hit'>;
  jobs: Pick<JobQueue, 'enqueue'>;
}

/**
 * Forward to a friend (issue 15 point 6): from the `forward_url` of a campaign mail, the person
 * (the sender, a contact) has that message sent once to a friend's address on their behalf.
 *
 * The request stores the forward and queues its job, the same statements for every valid input;
 * the job decides: the consent gate must allow `marketing` for the sender, and, when a contact
 * holds the friend's address, for that contact too; the address must not be suppressed (an erased
 * person's) or undeliverable. Whatever it decides, the answer was given before, and the same: it
 * never tells whether the friend's address is known, suppressed or a contact's. The friend's
 * address is kept only to send, and for nothing else: it goes at once when the forward is refused,
 * and 30 days after the forward by the retention otherwise. No contact is made for the friend.
 */
export class ForwardService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly links: ForwardLinks,
    private readonly deps: ForwardDeps,
  ) {}

  /**
   * The link, when it is genuine and unexpired, names a campaign's send that is still its contact's.
   * Null otherwise (forged, altered, expired, another kind's, a direct send's, the person erased).
   */
  async link(token: string): Promise<ForwardLink | null> {
    const link = await this.links.open(token, this.clock.now());
    if (!link) return null;
    const send = await this.deps.sentMessages.send(link.sendId);
    return send && send.contactId === link.contactId && send.campaignId !== null ? link : null;
  }

  /** What a page of type `forward` shows: null = the generic refusal (bad, expired or erased link). */
  async view(token: string): Promise<{ subject: string } | null> {
    const link = await this.link(token);
    if (!link) return null;
    const copy = await this.deps.sentMessages.copy(link.sendId, await this.neutralLinks());
    return copy ? { subject: copy.subject } : null;
  }

  /**
   * Sends the forward (once per link and friend address). Same answer for any valid input:
   * `refused` only for a link `view` refuses; an invalid address or a note too long throws
   * `validation_failed` with details `{path: '/friendEmail' | '/note', message}`; a client over
   * its limit `rate_limited`. Everything else is `sent`, whatever becomes of the forward.
   */
  async send(token: string, input: ForwardInput, ctx: ForwardContext): Promise<'sent' | 'refused'> {
    await this.deps.limiter.check(PER_CLIENT, ctx.ip);
    const link = await this.link(token);
    if (!link) return 'refused';
    const { friend, note } = checkInput(input);
    const key = emailKey(friend);
    const perLink = await this.deps.limiter.hit(PER_LINK, link.sendId);
    const perFriend = await this.deps.limiter.hit(PER_FRIEND, key);
    if (perLink.count > PER_LINK.max || perFriend.count > PER_FRIEND.max) return 'sent';
    const secret = await this.deps.secret.key();
    const now = this.clock.now().toISOString();
    const id = newId();
    await this.db.kysely.transaction().execute(async (trx) => {
      const inserted = await q.insertForward(
        trx,
        {
          id,
          contact_id: link.contactId,
          send_id: link.sendId,
          friend_key: hmac(secret, `forward:${link.sendId}\u0000${key}`),
          note,
          status: 'queued',
          created_at: now,
          sent_at: null,
        },
        { forward_id: id, contact_id: link.contactId, email: friend, created_at: now },
      );
      if (inserted) await this.deps.jobs.enqueue(FORWARD_QUEUE, { forwardId: id }, { key: `forward:${id}`, maxAttempts: 3, trx });
    });
    return 'sent';
  }

  /**
   * The job of one forward: asks the gate and the suppression list, then sends the friend's copy
   * through the gated sender once (under the key `forward:<id>`), purpose `requested`, caller
   * `form`: it answers the sender's own action, to the one address they gave (CONTEXT.md says why
   * this purpose, and what is asked besides). A refused forward forgets the address at once.
   */
  async run(payload: unknown): Promise<void> {
    const id = (payload as { forwardId?: unknown } | null)?.forwardId;
    if (typeof id !== 'string') return;
    const f = await q.forwardById(this.db.kysely, id);
    if (f?.status !== 'queued') return;
    const end = (status: 'sent' | 'refused' | 'failed') => q.finish(this.db.kysely, f.id, status, this.clock.now().toISOString());
    if (f.email === null || !(await this.allowed(f.contact_id, f.send_id, f.email))) return end('refused');
    const copy = await this.deps.sentMessages.copy(f.send_id, await this.neutralLinks());
    const sender = await this.deps.contacts.get(f.contact_id).catch(notFoundAsNull);
    if (!copy || !sender) return end('failed');
    const s = await this.deps.settings.get();
    const lang = negotiate({ contact: sender.language, fallback: 'en' });
    const mail = forwardMail(copy, { lang, senderFirstName: sender.firstName, note: f.note, organisation: s.organisation.name });
    const d = await this.deps.mail.send(
      {
        to: f.email,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        ...(copy.from ? { from: copy.from } : {}),
        purpose: 'requested',
        caller: 'form',
        contactId: null,
      },
      `forward:${f.id}`,
    );
    // Sent now, or by an earlier run of this job (`pending`: its process died while the relay had it; never sent twice).
    const sent = d.sent || ('earlier' in d && d.earlier !== 'skipped');
    return end(sent ? 'sent' : 'refused');
  }

  /** The gate for the sender and for a contact holding the friend's address, then suppression and hard bounces. */
  private async allowed(senderId: string, sendId: string, friend: string): Promise<boolean> {
    const sender = await this.deps.consent.check(senderId, FORWARD_PURPOSE, { caller: 'form' }).catch(notFoundAsNull);
    if (!sender?.allowed) return false;
    const send = await this.deps.sentMessages.send(sendId);
    if (!send || send.contactId !== senderId || send.campaignId === null) return false;
    if (await this.deps.suppressions.isSuppressed(friend)) return false;
    if (await this.deps.sentMessages.undeliverable(friend)) return false;
    // A contact who holds the address said what they want from us: their consent decides, not their friend's.
    const holders = (await contactsByEmailKeys(this.db.kysely, [emailKey(friend)])).map((c) => c.id);
    if (holders.length === 0) return true;
    const answers = await this.deps.consent.checkMany(holders, FORWARD_PURPOSE, { caller: 'form' });
    return holders.every((h) => answers.get(h)?.allowed === true);
  }

  /** The links of the friend's copy: none of the sender's (leaving, subscriptions, portal, view, forward) — one neutral page. */
  private async neutralLinks() {
    const about = await this.links.aboutUrl();
    return { unsubscribe_url: about, subscription_center_url: about, view_in_browser_url: about, forward_url: about };
  }

  formToken(link: ForwardLink): Promise<string> {
    return this.links.formToken(link, this.clock.now());
  }

  formTokenValid(link: ForwardLink, field: unknown): Promise<boolean> {
    return this.links.formTokenValid(link, field, this.clock.now());
  }

  origin(): Promise<string> {
    return this.links.origin();
  }
}

/** The friend's address (normalised) and the note, or `validation_failed` naming each field at fault. */
export function checkInput(input: ForwardInput): { friend: string; note: string | null } {
  const problems: { path: string; message: string }[] = [];
  const raw = typeof input.friendEmail === 'string' ? input.friendEmail : '';
  const friend = normaliseEmail(raw);
  if (raw.length > 254 || !isValidEmail(friend)) problems.push({ path: '/friendEmail', message: 'an email address' });
  const note = cleanNote(typeof input.note === 'string' ? input.note : null);
  if (note !== null && [...note].length > NOTE_MAX) problems.push({ path: '/note', message: `at most ${NOTE_MAX} characters` });
  if (problems.length) throw new AppError('validation_failed', 'the forward is not valid', problems);
  return { friend, note };
}

function notFoundAsNull(e: unknown): null {
  if (isAppError(e) && e.code === 'not_found') return null;
  throw e;
}
