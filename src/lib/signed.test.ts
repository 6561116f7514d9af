import assert from 'node:assert/strict';
import { it } from 'node:test';
import { signToken, verifyToken } from './signed.ts';

const key = Buffer.alloc(32, 7);
const now = new Date('2026-05-01T00:00:00Z');

it('accepts its own tokens until they expire, for their purpose only', () => {
  const t = signToken(key, 'verify', 'req-1', new Date(now.getTime() + 60_000));
  assert.deepEqual(verifyToken(key, 'verify', t, now), { ok: true, subject: 'req-1' });
  assert.deepEqual(verifyToken(key, 'download', t, now), { ok: false, reason: 'wrong_purpose' });
  assert.deepEqual(verifyToken(key, 'verify', t, new Date(now.getTime() + 60_001)), { ok: false, reason: 'expired' });
});

it('refuses forged, altered and malformed tokens', () => {
  const t = signToken(key, 'verify', 'req-1', new Date(now.getTime() + 60_000));
  const [p, , e, sig] = t.split('.');
  assert.equal(verifyToken(key, 'verify', `${p}.${Buffer.from('req-2').toString('base64url')}.${e}.${sig}`, now).ok, false);
  assert.equal(verifyToken(Buffer.alloc(32, 8), 'verify', t, now).ok, false);
  assert.equal(verifyToken(key, 'verify', 'a.b.c', now).ok, false);
  assert.equal(verifyToken(key, 'verify', `${t}x`, now).ok, false);
});
