import { createHash } from 'node:crypto';
import { signToken, verifyToken } from '../../lib/signed.ts';
import {
  CENTER_TTL_MS,
  capped,
  contactOfToken,
  type ContactTokenPurpose,
  linkBase,
  PORTAL_TTL_MS,
  portalUrl,
  subscriptionCenterUrl,
} from '../email/module.ts';
import type { SecretService, SettingsService } from '../settings/module.ts';

/** The purpose of the hidden form field that proves a POST came from the page its link opened. */
const FORM_PURPOSE = 'portal-form';
/** A page's form stays usable for a day (or until its link expires, if sooner). */
const FORM_TTL_MS = 86_400_000;

/** A genuine, unexpired link of a person's page: whom it is about and when it expires. */
export interface PageLink {
  token: string;
  contactId: string;
  expiresAt: Date;
}

/**
 * The signed links of the subscription center and the portal (made by the email module's
 * links.ts, which mails them), and the hidden form field bound to the link that opened a page:
 * its subject is a hash of that link's token, so the field of one person's page is refused on
 * another's, and a page on another site cannot make one without the installation secret.
 */
export class PortalLinks {
  constructor(
    private readonly settings: SettingsService,
    private readonly secret: SecretService,
  ) {}

  async base(): Promise<string> {
    return linkBase((await this.settings.get()).publicBaseUrl);
  }

  /** The origin posts must come from: the public base URL's. */
  async origin(): Promise<string> {
    return new URL(await this.base()).origin;
  }

  async open(purpose: ContactTokenPurpose, token: string, now: Date): Promise<PageLink | null> {
    const c = contactOfToken(await this.secret.key(), purpose, token, now);
    return c ? { token, ...c } : null;
  }

  /** The other page's link, for a link on this one: it never outlives the link that opened this page. */
  async centerUrl(from: PageLink, now: Date): Promise<string> {
    return subscriptionCenterUrl(await this.base(), await this.secret.key(), from.contactId, capped(now, CENTER_TTL_MS, from.expiresAt));
  }

  async portalUrl(from: PageLink, now: Date): Promise<string> {
    return portalUrl(await this.base(), await this.secret.key(), from.contactId, capped(now, PORTAL_TTL_MS, from.expiresAt));
  }

  async formToken(link: PageLink, now: Date): Promise<string> {
    return signToken(await this.secret.key(), FORM_PURPOSE, bindingOf(link.token), capped(now, FORM_TTL_MS, link.expiresAt));
  }

  async formTokenValid(link: PageLink, field: unknown, now: Date): Promise<boolean> {
    if (typeof field !== 'string') return false;
    const t = verifyToken(await this.secret.key(), FORM_PURPOSE, field, now);
    return t.ok && t.subject === bindingOf(link.token);
  }
}

const bindingOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export { sameOrigin } from '../../http/form-post.ts';
