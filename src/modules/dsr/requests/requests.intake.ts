import { isValidEmail, normaliseEmail } from '../../../lib/email.ts';
import { AppError } from '../../../lib/errors.ts';
import type { Limit, RateLimiter } from '../../../http/rate-limit.ts';
import type { JobQueue } from '../../../jobs/queue.ts';
import type { SecretService, SettingsService } from '../../settings/module.ts';
import type { DataRequest, EventActor, RequestType } from './requests.model.ts';
import type { OpenInput, RequestsService } from './requests.service.ts';
import type { VerificationService } from './requests.verification.ts';

const HOUR = 3600_000;
/** Per client: over it the client is told to wait (429), which says nothing about any address. */
export const PER_CLIENT: Limit = { scope: 'dsr-intake:client', max: 20, windowMs: HOUR };
/**
 * Per address (by its keyed hash): over it the request is dropped silently with the usual
 * answer, because a 429 here would tell a stranger that someone used the address recently.
 */
export const PER_ADDRESS: Limit = { scope: 'dsr-intake:address', max: 5, windowMs: HOUR };

/** The queue that mails a public case's verification link; its payload is the case id alone. */
export const LINK_QUEUE = 'dsr.verification-link';

/** The link job's key, and the key its mail is sent under: one per case. */
export const linkKey = (requestId: string) => `${LINK_QUEUE}:${requestId}`;
/** The key of the fresh link a repeated request mails for a case already waiting on its link: one per repetition. */
export const againKey = (requestId: string, eventId: string) => `${LINK_QUEUE}:${requestId}:again:${eventId}`;

export interface PublicInput {
  type: RequestType;
  email: string;
  /** The honeypot: people never see it, so anything in it was typed by a bot. */
  website?: string;
}

/**
 * How cases come in: from staff (who may vouch for the requester) or from the public form.
 * Either way an unverified case gets an emailed link before any work is possible.
 */
export class IntakeService {
  constructor(
    private readonly requests: RequestsService,
    private readonly verification: VerificationService,
    private readonly limiter: RateLimiter,
    private readonly secret: SecretService,
    private readonly jobs: JobQueue,
    private readonly settings: SettingsService,
  ) {}

  /** Whether a browser page at `origin` may read the intake's answers (the `publicFormOrigins` setting). */
  async allowsOrigin(origin: string): Promise<boolean> {
    return (await this.settings.get()).publicFormOrigins.includes(origin.toLowerCase());
  }

  async fromStaff(input: OpenInput, actor: EventActor, ownerId: string | null): Promise<DataRequest> {
    const req = await this.requests.open(input, { actor, channel: 'staff', ownerId });
    if (!input.verified) await this.verification.sendLink(req);
    return this.requests.get(req.id);
  }

  /**
   * Known and unknown addresses take the same path (a case, a task, a queued link), so the
   * answer and its timing reveal nothing; the caller answers the same whatever happens here
   * short of a 429. The link is mailed by a job, not before the answer: sending waits on the
   * mail relay, and for a known address on the consent gate, which could refuse it.
   */
  async fromPublic(input: PublicInput, client: { ip: string }): Promise<void> {
    const email = normaliseEmail(input.email);
    if (!isValidEmail(email))
      throw new AppError('validation_failed', 'invalid email address', [{ path: '/email', message: 'not an email address' }]);
    await this.limiter.check(PER_CLIENT, client.ip);
    if (input.website) return;
    const { count } = await this.limiter.hit(PER_ADDRESS, await this.secret.emailHash(email));
    if (count > PER_ADDRESS.max) return;
    const requester: EventActor = { type: 'requester', id: null };
    const r = await this.requests.openOrJoin({ type: input.type, email }, { actor: requester, channel: 'public', ownerId: null });
    if (r.opened) {
      await this.jobs.enqueue(LINK_QUEUE, { requestId: r.opened.id }, { key: linkKey(r.opened.id), maxAttempts: 5 });
    } else if (r.joined.status === 'awaiting_verification') {
      // The earlier link may be lost or expired: the repetition gets a fresh one for the same case,
      // one mail per request as before. A case whose link is still queued needs none; a verified one is in hand.
      const { id, eventId } = r.joined;
      await this.jobs.enqueue(LINK_QUEUE, { requestId: id, again: eventId }, { key: againKey(id, eventId), maxAttempts: 5 });
    }
  }

  /**
   * The job: mails the link of a case still waiting for it. The send is keyed by the case (the
   * job's own key), so a run repeated after a crash, or beside a run whose lease lapsed, sends
   * nothing a second time (VerificationService.sendLink).
   */
  async sendQueuedLink(payload: unknown): Promise<void> {
    const p = payload as { requestId?: unknown; again?: unknown } | null;
    const id = p?.requestId;
    if (typeof id !== 'string') throw new Error('the job names no case');
    const again = typeof p?.again === 'string' ? p.again : null;
    const req = await this.requests.find(id);
    // A case closed meanwhile (an erasure of the address rejects it) or verified already gets no link.
    if (req?.status !== (again ? 'awaiting_verification' : 'received') || !req.email) return;
    const key = again ? againKey(req.id, again) : linkKey(req.id);
    await this.verification.sendLink({ id: req.id, type: req.type, email: req.email, contactId: req.contact_id }, key);
  }
}
