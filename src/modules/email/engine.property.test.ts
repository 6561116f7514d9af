import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { newId } from '../../lib/ids.ts';
import { countsFrom } from './campaign.model.ts';
import { parseSelector } from './engine.jobs.ts';
import { callerOf, domainOf, retryDelayMs } from './engine.pipeline.ts';

it('a Message-ID domain is taken from any sender text without spaces, angle brackets or @, and never throws', () => {
  // Sender texts built of the characters that matter here, beside arbitrary ones.
  const parts = fc
    .array(fc.constantFrom('@', '<', '>', ' ', '\t', '\n', '"', 'a', 'é', '.', '-'), { maxLength: 30 })
    .map((a) => a.join(''));
  fc.assert(
    fc.property(fc.oneof(parts, fc.string(), fc.string({ unit: 'grapheme' }), fc.emailAddress(), fc.constant('')), (from) => {
      const d = domainOf(from);
      assert.ok(d.length > 0);
      assert.doesNotMatch(d, /[\s<>@]/);
    }),
  );
  assert.equal(domainOf('"Zoë <x@y>" <news@shop.example>'), 'shop.example');
  assert.equal(domainOf('news@shop.example'), 'shop.example');
  assert.equal(domainOf('no address'), 'localhost');
});

it('a batch payload is ids only: anything else is refused, never half read', () => {
  const id = newId();
  assert.deepEqual(parseSelector({ ids: [id] }), { ids: [id] });
  assert.deepEqual(parseSelector({ campaignId: id, first: id, last: id }), { campaignId: id, first: id, last: id });
  fc.assert(
    fc.property(fc.anything(), (p) => {
      let sel: unknown;
      try {
        sel = parseSelector(p);
      } catch {
        return;
      }
      // Whatever passed holds ids only.
      for (const v of Object.values(sel as object).flat()) assert.match(String(v), /^[0-9a-f-]{36}$/);
    }),
  );
  assert.throws(() => parseSelector({ ids: [] }));
  assert.throws(() => parseSelector({ ids: [id, 'x'] }));
  assert.throws(() => parseSelector({ campaignId: id, first: id }));
});

it('campaign counts add up whatever the rows, reasons in any script, duplicates and zeros included', () => {
  const outcome = fc.constantFrom('sent', 'refused', 'failed', 'cancelled', 'opened', 'clicked', 'bounced', 'unknown_outcome');
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          outcome,
          reason: fc.oneof(fc.constant(''), fc.constant('suppressed'), fc.string({ unit: 'grapheme', maxLength: 8 })),
          n: fc.oneof(fc.constant(0), fc.nat(1000)),
        }),
      ),
      fc.array(fc.record({ status: fc.constantFrom('queued', 'deferred', 'sent'), n: fc.nat(1000) })),
      (rows, pending) => {
        const c = countsFrom(
          rows.map((r) => ({ campaign_id: 'c', ...r })),
          pending,
        );
        const sum = (o: string) => rows.filter((r) => r.outcome === o).reduce((a, r) => a + r.n, 0);
        assert.equal(c.sent, sum('sent'));
        assert.equal(c.failed, sum('failed'));
        assert.equal(
          Object.values(c.refused).reduce((a, b) => a + b, 0),
          sum('refused'),
        );
        for (const n of Object.values(c.refused)) assert.ok(n > 0, 'no reason is listed with 0');
        assert.equal(
          c.queued,
          pending.filter((p) => p.status === 'queued').reduce((a, p) => a + p.n, 0),
        );
      },
    ),
  );
});

it('the caller follows the origin, and retries wait longer each time up to an hour', () => {
  assert.equal(callerOf(`campaign:${newId()}`), 'campaign');
  assert.equal(callerOf('journey:step'), 'journey');
  assert.equal(callerOf('direct:key'), 'staff');
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 50 }), (a) => {
      assert.ok(retryDelayMs(a + 1) >= retryDelayMs(a));
      assert.ok(retryDelayMs(a) <= 3_600_000 && retryDelayMs(a) >= 60_000);
    }),
  );
});
