import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { CONSENT_LEVELS, HIGHEST_LEVEL, isConsentLevel, LOWEST_LEVEL, parseConsentLevel } from './consent-levels.ts';

it('the scale is the brief’s six levels, 0 to 5', () => {
  assert.deepEqual([LOWEST_LEVEL, HIGHEST_LEVEL], [0, 5]);
  assert.deepEqual(CONSENT_LEVELS, [0, 1, 2, 3, 4, 5]);
  for (const n of [-1, 6, 2.5, Number.NaN, Number.POSITIVE_INFINITY, '3', null, undefined, -0.5])
    assert.equal(isConsentLevel(n), false, String(n));
});

it('a level in text is its own digits with blanks around, nothing else', () => {
  for (const l of CONSENT_LEVELS) {
    assert.equal(parseConsentLevel(String(l)), l);
    assert.equal(parseConsentLevel(` \t${l}\u00a0 `), l);
  }
  for (const t of ['', ' ', '6', '-1', '05', '+3', '3.0', '3e0', '0x3', '３', '1 2', 'three', '-0', '٣'])
    assert.equal(parseConsentLevel(t), null, JSON.stringify(t));
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('0', '3', '5', '6', '9', ' ', '-', '+', '.', 'e', 'x', '\u00a0', '٣', '😀') }), (t) => {
      const got = parseConsentLevel(t);
      const want = /^\s*[0-5]\s*$/.test(t) ? Number(t) : null;
      assert.equal(got, want, JSON.stringify(t));
    }),
  );
});
