import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import fc from 'fast-check';
import { PageMatcher, purgeStrings, termsOf } from './purge.terms.ts';

const KEY = randomBytes(32);
const fold = (b: Buffer) => Buffer.from(b.map((x) => (x >= 0x41 && x <= 0x5a ? x + 0x20 : x)));

/**
 * Flips the case of ASCII letters at random, as a value may be stored in another case than searched (other letters as they are, as the
 * residue scan folds).
 */
const recase = (s: string, flips: boolean[]) =>
  [...s].map((ch, i) => (/^[a-zA-Z]$/.test(ch) ? (flips[i % flips.length] ? ch.toUpperCase() : ch.toLowerCase()) : ch)).join('');

it('finds each planted identifier in any ASCII case, anywhere in a page (edges included), and nothing in pages without one', () => {
  const ident = fc.oneof(
    fc.emailAddress(),
    fc.string({ unit: 'grapheme', minLength: 6, maxLength: 40 }),
    fc.stringMatching(/^\+?[0-9 ()./-]{6,20}$/).filter((p) => p.replace(/\D/g, '').length >= 6),
  );
  fc.assert(
    fc.property(
      fc.uniqueArray(ident, { minLength: 1, maxLength: 4 }),
      fc.uint8Array({ maxLength: 3000 }),
      fc.nat(),
      fc.array(fc.boolean(), { minLength: 1 }),
      (ids, filler, at, flips) => {
        const terms = termsOf(KEY, ids);
        const m = new PageMatcher(KEY, terms);
        const needle = Buffer.from(recase(ids[0]!, flips));
        const pos = filler.length ? at % (filler.length + 1) : 0;
        const page = Buffer.concat([Buffer.from(filler.subarray(0, pos)), needle, Buffer.from(filler.subarray(pos))]);
        assert.ok(m.find(page).size >= 1, 'the planted identifier is found');
        // The same page without it: found only if the filler happens to hold an identifier itself.
        const clean = Buffer.from(filler);
        const expected = ids.some((s) => fold(clean).includes(fold(Buffer.from(s))));
        assert.equal(m.find(clean).size > 0, expected);
      },
    ),
    { numRuns: 300 },
  );
});

it('keeps nothing that names the identifier: a fingerprint made under another key does not match', () => {
  const terms = termsOf(KEY, ['ana.silva@example.org']);
  assert.ok(!JSON.stringify(terms).includes('silva'));
  const other = new PageMatcher(randomBytes(32), terms);
  assert.equal(other.find(Buffer.from('xx ana.silva@example.org yy')).size, 0);
});

it('searches addresses and phone numbers long enough to mean something, not names', () => {
  assert.deepEqual(purgeStrings({ emails: ['Ana@Example.org', 'ana@example.org'], phones: ['+49 30 1234567', '12 34'] }).sort(), [
    '+49 30 1234567',
    'ana@example.org',
  ]);
});
