import { createHash } from 'node:crypto';
import { signToken, verifyToken } from '../../lib/signed.ts';
import { FORWARD_PATH, forwardOfToken, linkBase } from '../email/module.ts';
import type { SecretService, SettingsService } from '../settings/module.ts';

/** The hidden form field's purpose: proves a POST came from the page its link opened. */
const FORM_PURPOSE = 'forward-form';
/** A page's form stays usable for a day (or until its link expires, if sooner). */
const FORM_TTL_MS = 86_400_000;

/** A genuine, unexpired forward link: whose, which send, until when. */
export interface ForwardLink {
  token: string;
  contactId: string;
  sendId: string;
  expiresAt: Date;
}

/**
 * The forward link (made by the email module's links.ts as `forward_url`), the hidden form field
 * bound to it (as the portal's `portal-form`: its subject is a hash of the link's token), the
 * origin posts must come from, and the neutral page the friend's copy links to.
 */
export class ForwardLinks {
  constructor(
    private readonly settings: Pick<SettingsService, 'get'>,
    private readonly secret: Pick<SecretService, 'key'>,
  ) {}

  async base(): Promise<string> {
    return linkBase((await this.settings.get()).publicBaseUrl);
  }

  async origin(): Promise<string> {
    return new URL(await this.base()).origin;
  }

  /** Where every personal link of the friend's copy leads: a page saying what the message is, for nobody in particular. */
  async aboutUrl(): Promise<string> {
    return `${await this.base()}${FORWARD_PATH}/about`;
  }

  async open(token: string, now: Date): Promise<ForwardLink | null> {
    const f = forwardOfToken(await this.secret.key(), token, now);
    return f ? { token, ...f } : null;
  }

  async formToken(link: ForwardLink, now: Date): Promise<string> {
    const expires = new Date(Math.min(now.getTime() + FORM_TTL_MS, link.expiresAt.getTime()));
    return signToken(await this.secret.key(), FORM_PURPOSE, bindingOf(link.token), expires);
  }

  async formTokenValid(link: ForwardLink, field: unknown, now: Date): Promise<boolean> {
    if (typeof field !== 'string') return false;
    const t = verifyToken(await this.secret.key(), FORM_PURPOSE, field, now);
    return t.ok && t.subject === bindingOf(link.token);
  }
}

const bindingOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export { sameOrigin } from '../../http/form-post.ts';
