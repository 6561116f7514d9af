import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { chunks } from './chunks.ts';
import { escapeHtml } from './html.ts';
import { inParallel } from './parallel.ts';

it('chunks: the parts, joined, are the list; each part is full but the last; sizes that are not positive finite numbers', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string(), fc.constant(null), fc.integer())),
      fc.oneof(fc.integer({ min: -3, max: 40 }), fc.double(), fc.constant(Number.POSITIVE_INFINITY), fc.constant(Number.NaN)),
      (xs, size) => {
        const parts = chunks(xs, size);
        assert.deepEqual(parts.flat(), xs);
        if (xs.length === 0) return assert.equal(parts.length, 0);
        const step = Number.isFinite(size) ? Math.max(1, Math.floor(size)) : xs.length;
        assert.equal(parts.length, Math.ceil(xs.length / step));
        for (const p of parts.slice(0, -1)) assert.equal(p.length, step);
        assert.ok(parts.at(-1)!.length >= 1 && parts.at(-1)!.length <= step);
      },
    ),
  );
});

it('inParallel: every item once, never more than the width in flight, and the width is used', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.nat(3), { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), async (delays, width) => {
      let inFlight = 0;
      let most = 0;
      const seen: number[] = [];
      await inParallel(
        delays.map((d, i) => [i, d] as const),
        width,
        async ([i, d]) => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, d));
          seen.push(i);
          inFlight--;
        },
      );
      assert.deepEqual(
        seen.sort((a, b) => a - b),
        delays.map((_, i) => i),
      );
      assert.equal(most, Math.min(width, delays.length));
    }),
    { numRuns: 40 },
  );
});

it('inParallel: a failure rejects, and the lanes take no further item after it', async () => {
  const started: number[] = [];
  await assert.rejects(
    inParallel([0, 1, 2, 3, 4, 5, 6, 7], 2, async (i) => {
      started.push(i);
      await new Promise((r) => setTimeout(r, 1));
      if (i === 1) throw new Error('boom');
    }),
    /boom/,
  );
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(started.length <= 3, `started ${started.join(',')}`);
});

it('escapeHtml: no markup character survives, and unescaping gives the text back', () => {
  const decode = (s: string) =>
    s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('<script>"\'&amp;', '', '&#39;')), (s) => {
      const out = escapeHtml(s);
      assert.doesNotMatch(out, /[<>"']/);
      assert.doesNotMatch(out, /&(?!(amp|lt|gt|quot|#39);)/);
      assert.equal(decode(out), s);
    }),
  );
  assert.equal(escapeHtml(null), 'null');
});
