import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LIMITS } from './filter.model.ts';
import { validateFilter, type ValidationContext } from './filter.validate.ts';

const ctx: ValidationContext = { customFields: new Map(), purposes: new Set(['marketing']) };
const list = (n: number, field = 'consentLevel') => ({ field, op: 'in', value: Array.from({ length: n }, (_, i) => i) });

it('bounds the values of the whole filter, not only of each list, and names the condition that crosses the bound', () => {
  const full = Array.from({ length: LIMITS.values / LIMITS.inValues }, () => list(LIMITS.inValues));
  assert.deepEqual(validateFilter({ or: full }, ctx), [], 'exactly at the bound');
  // One value more, in a scalar condition: every condition's values count.
  const over = validateFilter({ and: [{ or: full }, { field: 'country', op: '=', value: 'PT' }] }, ctx);
  assert.deepEqual(over, [
    { path: '/and/1/value', message: `a filter holds at most ${LIMITS.values} values in all its conditions together` },
  ]);
  // Crossed by a list deep in the tree: named once, by that list, whatever follows.
  const deep = validateFilter({ or: [...full.slice(1), { not: { and: [list(999), list(2)] } }, list(LIMITS.inValues)] }, ctx);
  assert.deepEqual(
    deep.map((p) => p.path),
    [`/or/${full.length - 1}/not/and/1/value`],
  );
  // Each list keeps its own limit as well.
  assert.deepEqual(
    validateFilter(list(LIMITS.inValues + 1), ctx).map((p) => p.path),
    ['/value'],
  );
});

it('a list of many bad values reports a bounded number of problems', () => {
  const problems = validateFilter({ field: 'country', op: 'in', value: Array.from({ length: LIMITS.inValues }, () => 7) }, ctx);
  assert.ok(problems.length > 0 && problems.length <= 20, `${problems.length} problems`);
  assert.equal(problems[0]!.path, '/value/0');
});
