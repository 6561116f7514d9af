import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import type { AppError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import type { ChangeContext } from '../consent/consent.model.ts';
import { refOfUrl } from './interactions.ref.ts';

const api: ChangeContext = { source: 'api', actor: { type: 'system', id: null } };

/** What must never reach an anonymous counter: an address, a long number, an id or a token. */
function holdsIdentifier(ref: string): string | null {
  const path = ref.replace(/^https?:\/\/[^/]+/, '');
  if (/@|%40/i.test(path)) return 'an @';
  if (/\d{6}/.test(path.replace(/[\s+()./-]|%20/g, (c) => (c === '/' ? '/' : '')))) return 'a run of six or more digits';
  if (/[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i.test(path)) return 'a uuid';
  if (/[0-9a-f]{16}/i.test(path)) return 'a long hex run';
  return null;
}

describe('references derived from URLs (anonymous counters)', () => {
  it('keeps scheme, host and the path, with identifier-looking segments replaced; no query, no fragment', () => {
    const cases: [string, string][] = [
      ['https://shop.example/u/ada.case@example.org/orders?x=1#top', 'https://shop.example/u/:email/orders'],
      ['https://shop.example/u/Ada.Case%40Example.org', 'https://shop.example/u/:email'],
      ['https://shop.example/u/mailto:ada@example.org/', 'https://shop.example/u/:email/'],
      ['https://shop.example/order/12345678/receipt', 'https://shop.example/order/:num/receipt'],
      ['https://shop.example/call/+44-20-7946-0958', 'https://shop.example/call/:num'],
      ['https://shop.example/call/%2B44%2020%207946%200958', 'https://shop.example/call/:num'],
      ['https://shop.example/inv-00123456.pdf', 'https://shop.example/:num'],
      ['https://shop.example/c/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/view', 'https://shop.example/c/:id/view'],
      ['https://shop.example/t/9f86d081884c7d659a2feaa0c55ad015', 'https://shop.example/t/:id'],
      ['https://shop.example/reset/eyJhbGciOiJIUzI1NiJ9_dGVzdA-x2Yz', 'https://shop.example/reset/:token'],
      ['https://shop.example/blog/2024/how-to-bake', 'https://shop.example/blog/2024/how-to-bake'],
      ['https://shop.example/pricing', 'https://shop.example/pricing'],
      ['https://Shop.Example:8443/a/b/', 'https://shop.example:8443/a/b/'],
      ['http://shop.example', 'http://shop.example/'],
      ['https://jane:secret@shop.example/x', 'https://shop.example/x'],
    ];
    for (const [url, ref] of cases) assert.equal(refOfUrl(url), ref, url);
  });

  it('never lets an address, a long number, an id or a token through, whatever surrounds them (property)', () => {
    const word = fc.stringMatching(/^[a-z][a-z-]{0,11}$/);
    const local = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,15}$/);
    const email = fc.tuple(local, fc.constantFrom('example.org', 'mail.example', 'EXAMPLE.COM')).map(([l, d]) => `${l}@${d}`);
    const digits = fc.stringMatching(/^[0-9]{6,14}$/);
    const phone = fc
      .tuple(
        fc.constantFrom('+', '00', ''),
        fc.array(fc.stringMatching(/^[0-9]{2,4}$/), { minLength: 3, maxLength: 5 }),
        fc.constantFrom('-', '.', ' ', ''),
      )
      .map(([p, parts, sep]) => p + parts.join(sep))
      .filter((p) => p.replace(/\D/g, '').length >= 7);
    const uuid = fc.uuid();
    const hex = fc.stringMatching(/^[0-9a-f]{16,40}$/);
    const identifier = fc.oneof(email, digits, phone, uuid, hex);
    const encode = fc.constantFrom(
      (s: string) => s,
      encodeURIComponent,
      (s: string) => s.toUpperCase(),
      (s: string) => `x${s}y`,
    );
    const segment = fc.oneof(
      word,
      fc.tuple(identifier, encode).map(([i, e]) => e(i)),
    );
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('', '?q=1', '#f', '?email=a@b.c'),
        (segments, tail) => {
          const url = `https://shop.example/${segments.map((s) => s.replace(/[/?#]/g, '')).join('/')}${tail}`;
          const ref = refOfUrl(url);
          if (ref === null) return true;
          assert.equal(holdsIdentifier(ref), null, `${url} -> ${ref}`);
          assert.ok(!ref.includes('?') && !ref.includes('#'), ref);
          return true;
        },
      ),
      { numRuns: 500 },
    );
  });

  it('leaves ordinary paths as they are (property)', () => {
    const word = fc.stringMatching(/^[a-z][a-z-]{0,15}$/);
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), (words) => {
        const url = `https://shop.example/${words.join('/')}`;
        assert.equal(refOfUrl(url), url);
      }),
    );
  });
});

forEachDialect('anonymous counters hold no identifier', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });

  it(
    'a visit to a URL whose path holds an address, a phone or an id ' + 'is counted without it; behaviour and stats match the raw URL',
    async () => {
      const c = await s.contacts.create({ email: 'ada.case@example.org' });
      await s.consent.setLevel(c.id, 5, api);
      const urls = [
        'https://shop.example/u/ada.case@example.org/orders',
        'https://shop.example/u/ada.case%40example.org/orders?ref=mail',
        'https://shop.example/call/+44-20-7946-0958',
        'https://shop.example/t/9f86d081884c7d659a2feaa0c55ad015',
      ];
      await s.interactions.ingest(urls.map((url) => ({ type: 'page_visited' as const, contactId: c.id, url })));
      const stats = (
        await sql<{ ref: string; count: number }>`select ref, count from interaction_stats where type = 'page_visited'`.execute(
          ctx.db.kysely,
        )
      ).rows;
      const text = JSON.stringify(stats).toLowerCase();
      for (const bad of ['ada', '%40', '@', '7946', '9f86d0']) assert.ok(!text.includes(bad), `counters hold ${bad}: ${text}`);
      assert.deepEqual(stats.map((r) => [r.ref, Number(r.count)]).sort(), [
        ['https://shop.example/call/:num', 1],
        ['https://shop.example/t/:id', 1],
        ['https://shop.example/u/:email/orders', 2],
      ]);
      // The per-contact rows keep the URL (personal data, erased with the person); their ref is the counters' ref.
      const rows = await s.interactions.listForContact(c.id, {}, 10);
      assert.ok(rows.some((r) => r.url === 'https://shop.example/u/ada.case@example.org/orders'));
      assert.ok(rows.every((r) => r.ref !== null && holdsIdentifier(r.ref) === null));
      // Asked with the raw URL, segments and stats find what it was counted as.
      const seg = await s.segments.preview({
        behaviour: { type: 'page_visited', ref: 'https://shop.example/u/ada.case@example.org/orders', atLeast: 2 },
      });
      assert.equal(seg, 1);
      const st = await s.interactions.stats({
        from: '2026-03-10',
        to: '2026-03-10',
        type: 'page_visited',
        ref: 'https://shop.example/u/someone.else@example.org/orders',
      });
      assert.deepEqual(
        st.data.map((r) => r.count),
        [2],
      );
    },
  );

  it('refuses a custom event name that carries a number or a token, not an ordinary name', async () => {
    const c = await s.contacts.create({ email: 'names@example.org' });
    for (const name of ['order.4915123456789', 'paid.0190a1b2c3d47e5f', 'lead.12345678']) {
      await assert.rejects(
        s.interactions.ingest([{ type: 'custom', name, behavioural: false, contactId: c.id }]),
        (e: AppError) => e.code === 'validation_failed' && (e.details as { path: string }).path === '/name',
        name,
      );
    }
    const ok = await s.interactions.ingest([{ type: 'custom', name: 'invoice.paid.2024', behavioural: false, contactId: c.id }]);
    assert.equal(ok.accepted, 1);
  });
});
