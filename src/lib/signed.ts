import { createHmac } from 'node:crypto';
import { safeEqual } from './crypto.ts';

/**
 * Signed, expiring tokens for links in emails (verification, downloads, subscription
 * center): `purpose.subject.expiry.signature`, base64url parts. Stateless, so any process
 * can check them; the purpose is signed too, so a token for one use is refused for another.
 */
export function signToken(key: Buffer, purpose: string, subject: string, expiresAt: Date): string {
  const body = `${b64(purpose)}.${b64(subject)}.${expiresAt.getTime().toString(36)}`;
  return `${body}.${mac(key, body)}`;
}

export type TokenCheck = { ok: true; subject: string } | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'wrong_purpose' };

export function verifyToken(key: Buffer, purpose: string, token: string, now: Date): TokenCheck {
  if (typeof token !== 'string' || token.length > 1000) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'malformed' };
  const [p, s, exp, sig] = parts as [string, string, string, string];
  if (!safeEqual(mac(key, `${p}.${s}.${exp}`), sig)) return { ok: false, reason: 'forged' };
  if (unb64(p) !== purpose) return { ok: false, reason: 'wrong_purpose' };
  const expiry = parseInt(exp, 36);
  if (!Number.isFinite(expiry) || expiry <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, subject: unb64(s) };
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}
const b64 = (s: string) => Buffer.from(s).toString('base64url');

/** A token of signToken's shape anywhere in a text: base64url purpose and subject, base-36 expiry, a 43-character HMAC. */
const SIGNED = /[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[0-9a-z]+\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
/** Query parameters that carry a credential in links made elsewhere (`&amp;` as HTML bodies write it). */
const BEARER_PARAM = /([?&;]|&amp;)(token|access_token|sig|signature|secret|key|auth)=[^&#\s"'<>\\]+/gi;
const REDACTED = '[redacted]';

/**
 * A text with every bearer link made useless, the rest kept: staff reading stored mail (the
 * outbox, a person's messages in an export) see that a link was there and where it led, not a
 * working copy. Our own tokens are found by shape wherever they sit (query, path, header);
 * credential-named query parameters of other links lose their values too.
 */
export function redactLinks(text: string): string {
  return text.replace(SIGNED, REDACTED).replace(BEARER_PARAM, (_m, sep: string, name: string) => `${sep}${name}=${REDACTED}`);
}
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString();
