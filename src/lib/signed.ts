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
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString();
