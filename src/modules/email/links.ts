import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { signToken, verifyToken } from '../../lib/signed.ts';

/**
 * The per-send links of a message: leaving (RFC 8058 one-click), reading it in a browser, the
 * open pixel and the click redirects. Each carries a token signed with the installation secret
 * (SecretService, as data-request links) and bound to the send, so a link works for its own
 * send only and states nothing else: whom it belongs to is looked up from the send row, which
 * erasure deletes, after which every link of that person's mail is dead.
 */

/** Where the public routes live (email.public.routes.ts); `{token}` is the last path segment. */
export const EMAIL_PUBLIC_PATH = '/public/v1/email';

/** Token purposes (lib/signed.ts signs the purpose, so one kind of link is refused as another). */
export const TOKEN = { unsubscribe: 'unsubscribe', view: 'view', open: 'open', click: 'click' } as const;
export type TokenPurpose = (typeof TOKEN)[keyof typeof TOKEN];

/**
 * 400 days: the issue asks for at least 60; a newsletter is found in an archive long after, and
 * leaving must still work then. Opens and clicks need no shorter life: the send row is the
 * limit (erasure deletes it).
 */
export const LINK_TTL_MS = 400 * 86_400_000;

export interface SendUrls {
  unsubscribe_url: string;
  subscription_center_url: string;
  view_in_browser_url: string;
  forward_url: string;
}

/** The public base URL as links start with it: normalised, no trailing slash. */
export function linkBase(baseUrl: string): string {
  return new URL(baseUrl).href.replace(/\/+$/, '');
}

const expiry = (now: Date) => new Date(now.getTime() + LINK_TTL_MS);

export function unsubscribeUrl(baseUrl: string, key: Buffer, sendId: string, now: Date): string {
  return `${linkBase(baseUrl)}${EMAIL_PUBLIC_PATH}/unsubscribe/${signToken(key, TOKEN.unsubscribe, sendId, expiry(now))}`;
}

/** The template variables of one send: its own links, and the subscription center of its contact. */
export function sendUrls(baseUrl: string, key: Buffer, sendId: string, now: Date, contactId: string): SendUrls {
  return {
    unsubscribe_url: unsubscribeUrl(baseUrl, key, sendId, now),
    subscription_center_url: subscriptionCenterUrl(baseUrl, key, contactId, new Date(now.getTime() + CENTER_TTL_MS)),
    view_in_browser_url: `${linkBase(baseUrl)}${EMAIL_PUBLIC_PATH}/view/${signToken(key, TOKEN.view, sendId, expiry(now))}`,
    forward_url: forwardUrl(baseUrl, key, { contactId, sendId }, new Date(now.getTime() + FORWARD_TTL_MS)),
  };
}

/**
 * Forward to a friend (src/modules/forward): a link bound to the CONTACT and the SEND, so the
 * message forwarded is the one this person got, on this person's behalf. 30 days: a forward is
 * a reaction to a fresh mail, and the link can make us write to a stranger. Erasure deletes the
 * contact and the send, after which the link finds nobody and gets the one refusal. The
 * forward module refuses it for a send that is not a campaign's.
 */
export const FORWARD_PATH = '/public/v1/forward';
export const FORWARD_TOKEN = 'forward';
export const FORWARD_TTL_MS = 30 * 86_400_000;

export interface ForwardSubject {
  contactId: string;
  sendId: string;
}

export function forwardUrl(baseUrl: string, key: Buffer, subject: ForwardSubject, expiresAt: Date): string {
  return `${linkBase(baseUrl)}${FORWARD_PATH}/${signToken(key, FORWARD_TOKEN, `${subject.contactId}/${subject.sendId}`, expiresAt)}`;
}

/** The contact and send a genuine, unexpired forward token names, and when it expires; null otherwise. */
export function forwardOfToken(key: Buffer, token: string, now: Date): (ForwardSubject & { expiresAt: Date }) | null {
  const t = verifyToken(key, FORWARD_TOKEN, token, now);
  if (!t.ok) return null;
  const m = /^([0-9A-Za-z-]{1,64})\/([0-9A-Za-z-]{1,64})$/.exec(t.subject);
  return m ? { contactId: m[1]!, sendId: m[2]!, expiresAt: new Date(parseInt(token.split('.')[2]!, 36)) } : null;
}

/**
 * The person's own pages (src/modules/portal): the subscription center and the privacy portal.
 * Their links are bound to the CONTACT, not to a send: the receipt that carries the portal link
 * is no send, and the pages are about the person. Erasure deletes the contact, after which every
 * such link finds nobody and gets the one refusal.
 */
export const SUBSCRIPTION_CENTER_PATH = '/public/v1/subscription';
export const PORTAL_PATH = '/public/v1/privacy';
export const CONTACT_TOKEN = { subscriptionCenter: 'subscription_center', portal: 'portal' } as const;
export type ContactTokenPurpose = (typeof CONTACT_TOKEN)[keyof typeof CONTACT_TOKEN];

/**
 * 60 days for the subscription center (shorter than the 400 of the unsubscribe link beside it):
 * it can RAISE consent and join lists, so a mail forwarded or found in an archive should not do
 * that for long; leaving stays possible through the unsubscribe link. 30 days for the portal: it
 * shows the person's data, and the receipt it comes in is read soon after the change. A link
 * one page makes for the other never outlives the link that opened the page (`capped`), so
 * going back and forth cannot stretch a link's life.
 */
export const CENTER_TTL_MS = 60 * 86_400_000;
export const PORTAL_TTL_MS = 30 * 86_400_000;

export function subscriptionCenterUrl(baseUrl: string, key: Buffer, contactId: string, expiresAt: Date): string {
  return `${linkBase(baseUrl)}${SUBSCRIPTION_CENTER_PATH}/${signToken(key, CONTACT_TOKEN.subscriptionCenter, contactId, expiresAt)}`;
}

export function portalUrl(baseUrl: string, key: Buffer, contactId: string, expiresAt: Date): string {
  return `${linkBase(baseUrl)}${PORTAL_PATH}/${signToken(key, CONTACT_TOKEN.portal, contactId, expiresAt)}`;
}

/** The expiry of a link made now for `ttlMs`, never later than `cap` (the link that opened the page). */
export function capped(now: Date, ttlMs: number, cap?: Date): Date {
  const own = now.getTime() + ttlMs;
  return new Date(cap ? Math.min(own, cap.getTime()) : own);
}

/** The contact a genuine, unexpired token of the purpose names, and when it expires; null otherwise. */
export function contactOfToken(
  key: Buffer,
  purpose: ContactTokenPurpose,
  token: string,
  now: Date,
): { contactId: string; expiresAt: Date } | null {
  const t = verifyToken(key, purpose, token, now);
  if (!t.ok) return null;
  return { contactId: t.subject, expiresAt: new Date(parseInt(token.split('.')[2]!, 36)) };
}

export function openUrl(baseUrl: string, key: Buffer, sendId: string, now: Date): string {
  return `${linkBase(baseUrl)}${EMAIL_PUBLIC_PATH}/open/${signToken(key, TOKEN.open, sendId, expiry(now))}`;
}

/**
 * What a click token binds: the send, the link's index among the message's tracked links, and a
 * hash of the URL. The URL itself is not in the token (tokens stay short, and a token never
 * names a destination): the click route takes it from the message and redirects only to a URL
 * the message holds whose hash the token signed.
 */
export interface ClickSubject {
  sendId: string;
  index: number;
  urlHash: string;
}

/** 128 bits of SHA-256, base64url: the token is signed, so this only has to tell the message's links apart. */
export function urlHash(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 22);
}

export function clickToken(key: Buffer, subject: ClickSubject, now: Date): string {
  return signToken(key, TOKEN.click, `${subject.sendId}/${subject.index}/${subject.urlHash}`, expiry(now));
}

/** The send a genuine, unexpired token of the purpose names, or null (forged, altered, expired, another purpose's). */
export function sendOfToken(key: Buffer, purpose: Exclude<TokenPurpose, 'click'>, token: string, now: Date): string | null {
  const t = verifyToken(key, purpose, token, now);
  return t.ok ? t.subject : null;
}

export function clickOfToken(key: Buffer, token: string, now: Date): ClickSubject | null {
  const t = verifyToken(key, TOKEN.click, token, now);
  if (!t.ok) return null;
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,5})\/([A-Za-z0-9_-]{22})$/.exec(t.subject);
  return m ? { sendId: m[1]!, index: Number(m[2]), urlHash: m[3]! } : null;
}

/**
 * RFC 2369 and RFC 8058 headers. The https link is the one-click POST; the mailto is for clients
 * that only know mail: `unsubscribe@` the sender's domain, with the token in the SUBJECT (a
 * token is longer than the 64 octets a local part may hold). Whatever reads that mailbox hands
 * the token to the same unsubscribe. No mailto when the sender's domain cannot be told.
 */
export function listUnsubscribeHeaders(
  baseUrl: string,
  key: Buffer,
  sendId: string,
  now: Date,
  sender?: string | null,
): Record<'List-Unsubscribe' | 'List-Unsubscribe-Post', string> {
  const url = unsubscribeUrl(baseUrl, key, sendId, now);
  const token = url.slice(url.lastIndexOf('/') + 1);
  const domain = sender ? senderDomain(sender) : null;
  const mailto = domain ? `, <mailto:unsubscribe@${domain}?subject=unsubscribe%20${token}>` : '';
  return { 'List-Unsubscribe': `<${url}>${mailto}`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** The domain of `Name <local@domain>` or `local@domain`, in ASCII (IDNs as punycode); null when there is none. */
export function senderDomain(sender: string): string | null {
  const inAngles = /<([^<>]*)>\s*$/.exec(sender);
  const address = (inAngles ? inAngles[1]! : sender).trim();
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  const ascii = domainToASCII(
    address
      .slice(at + 1)
      .trim()
      .toLowerCase(),
  );
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(ascii) ? ascii : null;
}
