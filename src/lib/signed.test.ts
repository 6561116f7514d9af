import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { redactLinks, signToken, verifyToken } from './signed.ts';

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

it('redacts every token wherever a message puts it, and keeps the rest of the text', () => {
  const escapeAttribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const settings = fc.record({
    purpose: fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }),
    subject: fc.string({ maxLength: 60, unit: 'binary' }),
    ms: fc.integer({ min: 1, max: 10 ** 13 }),
    before: fc.string({ maxLength: 40, unit: 'grapheme' }),
    after: fc.string({ maxLength: 40, unit: 'grapheme' }),
    shape: fc.constantFrom('query', 'second', 'path', 'header', 'html', 'bare'),
  });
  fc.assert(
    fc.property(settings, ({ purpose, subject, ms, before, after, shape }) => {
      const tok = signToken(key, purpose, subject, new Date(ms));
      const link = {
        query: `https://x.example/public/v1/requests/verify?token=${encodeURIComponent(tok)}`,
        second: `https://x.example/public/v1/exports/id?format=json&token=${encodeURIComponent(tok)}`,
        path: `https://x.example/unsubscribe/${tok}`,
        header: `<https://x.example/u?token=${tok}>, <mailto:u@x.example>`,
        html: `<a href="${escapeAttribute(`https://x.example/e/1?token=${tok}&format=json`)}">download</a>`,
        bare: tok,
      }[shape]!;
      const out = redactLinks(`${before} ${link} ${after}`);
      assert.ok(!out.includes(tok.split('.').at(-1)!), out);
      assert.ok(out.includes('[redacted]'));
      // The text around is kept as it was (it holds no parameter to redact, and is too short to look like a token).
      if (!(before + after).includes('='))
        assert.ok(out.startsWith(`${before} `) && out.endsWith(` ${after}`), 'text around the link is kept');
    }),
    { numRuns: 500 },
  );
});

it('redacts credential parameters of other links and leaves ordinary links alone', () => {
  assert.equal(redactLinks('see https://shop.example/a?utm_source=news&id=7#top'), 'see https://shop.example/a?utm_source=news&id=7#top');
  assert.equal(
    redactLinks('https://x.example/a?sig=abc123&x=1 and https://y.example/?access_token=Zz9'),
    'https://x.example/a?sig=[redacted]&x=1 and https://y.example/?access_token=[redacted]',
  );
  assert.equal(
    redactLinks('<a href="https://x.example/a?b=1&amp;Token=q-w_e">'),
    '<a href="https://x.example/a?b=1&amp;Token=[redacted]">',
  );
  assert.equal(redactLinks(''), '');
});
