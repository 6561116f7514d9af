import type { Clock } from '../../../lib/clock.ts';
import { signToken, verifyToken } from '../../../lib/signed.ts';
import type { SecretService, SettingsService } from '../../settings/module.ts';
import type { RequestMailer } from './requests.mailer.ts';
import { verificationMessage } from './requests.messages.ts';
import type { DataRequest, EventActor } from './requests.model.ts';
import type { RequestsService } from './requests.service.ts';

const PURPOSE = 'dsr-verify';
export const LINK_TTL_MS = 48 * 3600_000;
export const VERIFY_PATH = '/public/v1/requests/verify';

const SYSTEM: EventActor = { type: 'system', id: null };
/** The history's note when a link's send was cut off by a crash: it may have left, and is not sent again. */
export const INTERRUPTED =
  'verification link sent, but the sending process stopped before the mail relay answered: it may not have arrived';
const REQUESTER: EventActor = { type: 'requester', id: null };

export type Confirmation = 'verified' | 'already_verified' | 'invalid';

/**
 * Proof that the requester holds the address: a signed, expiring link naming the case. The
 * link only opens a page; confirming is a separate POST, because mail scanners follow links.
 */
export class VerificationService {
  constructor(
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly secret: SecretService,
    private readonly requests: RequestsService,
    private readonly mailer: RequestMailer,
  ) {}

  /**
   * Emails the link; the case then awaits verification (or says on its history why no mail
   * went). With a `key` (a job's), called again it neither mails nor notes twice: the send is
   * recorded under the key before the mail leaves, the move is conditional on the status, and a
   * refusal's note is written once with its record. A send whose process died before the relay
   * answered is not repeated (at most once); the case moves on, its history saying the link
   * may not have arrived, so staff can look.
   */
  async sendLink(req: Pick<DataRequest, 'id' | 'type' | 'email' | 'contactId'>, key?: string): Promise<void> {
    if (!req.email) return;
    const expires = new Date(this.clock.now().getTime() + LINK_TTL_MS);
    const token = signToken(await this.secret.key(), PURPOSE, req.id, expires);
    const base = (await this.settings.get()).publicBaseUrl.replace(/\/+$/, '');
    const link = `${base}${VERIFY_PATH}?token=${encodeURIComponent(token)}`;
    const delivery = await this.mailer.send(req.email, req.contactId, verificationMessage(req.type, link, expires), key);
    if (delivery.sent || ('earlier' in delivery && delivery.earlier === 'done')) {
      await this.requests.move(req.id, ['received'], 'awaiting_verification', SYSTEM, 'verification link sent');
    } else if ('earlier' in delivery) {
      // Refused earlier: that run noted why.
      if (delivery.earlier === 'pending') await this.requests.move(req.id, ['received'], 'awaiting_verification', SYSTEM, INTERRUPTED);
    } else if (key !== undefined) {
      await this.requests.noteOnce(req.id, SYSTEM, `verification link not sent: ${delivery.reason}`, key);
    } else {
      await this.requests.note(req.id, SYSTEM, `verification link not sent: ${delivery.reason}`);
    }
  }

  /** The case a genuine, unexpired link names, if it can still be confirmed or was (with its deadline, for the page). Changes nothing. */
  async check(token: string): Promise<{ id: string; type: string; status: string; deadline: string } | null> {
    const t = verifyToken(await this.secret.key(), PURPOSE, token, this.clock.now());
    if (!t.ok) return null;
    const row = await this.requests.find(t.subject);
    if (!row || row.status === 'rejected') return null;
    return { id: row.id, type: row.type, status: row.status, deadline: row.deadline };
  }

  async confirm(token: string): Promise<Confirmation> {
    const c = await this.check(token);
    if (!c) return 'invalid';
    if (c.status !== 'received' && c.status !== 'awaiting_verification') return 'already_verified';
    if (
      await this.requests.move(
        c.id,
        ['received', 'awaiting_verification'],
        'verified',
        REQUESTER,
        'address confirmed through the emailed link',
      )
    )
      return 'verified';
    // Another submission of the same form got there first, or staff closed the case meanwhile.
    return (await this.check(token)) ? 'already_verified' : 'invalid';
  }
}
