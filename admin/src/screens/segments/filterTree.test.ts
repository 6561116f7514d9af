// The builder's model: every filter of the language survives JSON → tree → JSON unchanged (deep
// nesting, Unicode, empty strings), and the builder's vocabulary is the language's own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CONTACT_FIELDS, LIMITS as SERVER_LIMITS, OPS_BY_TYPE as SERVER_OPS } from '../../../../src/modules/segments/filter.model.ts';
import { fromJson, hasEmptyGroup, leafCount, nodeAt, pointers, type TreeNode, toJson, truth, update } from './filterTree.ts';
import { BUILT_IN_FIELDS, type FieldType, LIMITS, OPS_BY_TYPE } from './language.ts';

const text = fc.oneof(
  fc.constantFrom('', ' ', 'Zoë', 'ZOË', '東京', '😀', 'İstanbul', 'Straße', '"><script>', '<img src=x onerror=alert(1)>', '\u200b'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const date = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const valuesOf: Record<FieldType, fc.Arbitrary<string | number | boolean>> = {
  text,
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0)),
  boolean: fc.boolean(),
  date: date.map((d) => d.slice(0, 10)),
  datetime: date,
};
const fieldNames: [string, FieldType][] = [
  ...Object.entries(BUILT_IN_FIELDS).map(([n, f]) => [n, f.type] as [string, FieldType]),
  ['customFields.tier', 'text'],
  ['customFields.größe', 'number'],
  ['customFields.vip', 'boolean'],
  ['customFields.since', 'date'],
];

const field = fc.constantFrom(...fieldNames).chain(([name, type]) =>
  fc.constantFrom(...OPS_BY_TYPE[type]).chain((op): fc.Arbitrary<unknown> => {
    if (op === 'is_null')
      return fc
        .option(fc.boolean(), { nil: undefined })
        .map((v) => (v === undefined ? { field: name, op } : { field: name, op, value: v }));
    if (op === 'in') return fc.array(valuesOf[type], { minLength: 1, maxLength: 5 }).map((value) => ({ field: name, op, value }));
    return valuesOf[type].map((value) => ({ field: name, op, value }));
  }),
);
const leaf = fc.oneof(
  field,
  fc.integer({ min: 0, max: 5 }).map((atLeast) => ({ consent: { atLeast } })),
  fc.constantFrom('marketing', 'profiling', 'requested', 'credit_décision').map((allowed) => ({ allowed })),
  fc.uuid().map((list) => ({ list })),
  fc
    .record(
      {
        type: fc.constantFrom('email_opened', 'email_clicked', 'page_visited', 'custom'),
        ref: text.filter((s) => s.length > 0),
        withinDays: fc.integer({ min: 1, max: LIMITS.withinDays }),
        atLeast: fc.integer({ min: 1, max: LIMITS.atLeast }),
      },
      { requiredKeys: ['type'] },
    )
    .map((b) => ({ behaviour: { ...b } })),
);
const { filter } = fc.letrec<{ filter: unknown }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('filter'), { minLength: 1, maxLength: 4 }).map((and) => ({ and })),
    fc.array(tie('filter'), { minLength: 1, maxLength: 4 }).map((or) => ({ or })),
    tie('filter').map((n) => ({ not: n })),
  ),
}));

/** A chain of groups and nots `depth` deep around one condition. */
function deep(depth: number): unknown {
  let n: unknown = { field: 'firstName', op: '=', value: '' };
  for (let i = 0; i < depth; i++) n = i % 3 === 0 ? { not: n } : i % 3 === 1 ? { and: [n, { consent: { atLeast: 3 } }] } : { or: [n] };
  return n;
}

describe('segments builder: filter ⇄ tree', () => {
  it('the builder offers exactly the fields, operators and limits of the language (src/modules/segments/filter.model.ts)', () => {
    assert.deepEqual(OPS_BY_TYPE, SERVER_OPS);
    assert.deepEqual(LIMITS, SERVER_LIMITS);
    assert.deepEqual(
      Object.fromEntries(Object.entries(BUILT_IN_FIELDS).map(([n, f]) => [n, f.type])),
      Object.fromEntries(Object.entries(CONTACT_FIELDS).map(([n, f]) => [n, f.type])),
    );
  });

  it('every filter of the language comes back unchanged from the tree', () => {
    fc.assert(
      fc.property(filter, (f) => {
        assert.deepEqual(toJson(fromJson(f)), f);
      }),
      { numRuns: 2000 },
    );
  });

  it('deep nesting, to the limit and past it, and what the language does not know, come back unchanged', () => {
    for (const d of [1, 11, 12, 40]) assert.deepEqual(toJson(fromJson(deep(d))), deep(d));
    for (const odd of [
      null,
      [],
      'text',
      42,
      {},
      { and: [] },
      { and: 'x' },
      { and: [{ field: 'email' }], or: [] },
      { field: 'email', op: '=', value: 'a', extra: 1 },
      { consent: 3 },
      { behaviour: { type: 'page_visited', extra: true } },
      { not: { not: { list: 'x' } } },
      { field: 'email', op: '=', value: undefined },
    ])
      assert.deepEqual(toJson(fromJson(odd)), odd, JSON.stringify(odd));
  });

  it('a problem’s JSON pointer names its node, and a removed node leaves no empty "not"', () => {
    const tree = fromJson({
      and: [{ field: 'email', op: '=', value: 'a' }, { not: { or: [{ list: 'x' }, { consent: { atLeast: 9 } }] } }],
    });
    const p = pointers(tree);
    const keyOf = (ptr: string) => [...p].find(([, v]) => v === ptr)![0];
    assert.equal(nodeAt(tree, '/and/0/value'), keyOf('/and/0'));
    assert.equal(nodeAt(tree, '/and/1/not/or/1'), keyOf('/and/1/not/or/1'));
    assert.equal(nodeAt(tree, '/and'), keyOf(''));
    assert.equal(nodeAt(tree, '/and/10'), keyOf(''));
    assert.equal(leafCount(tree), 3);
    const orKey = keyOf('/and/1/not');
    const removed = update(tree, orKey, () => null) as TreeNode;
    assert.deepEqual(toJson(removed), { and: [{ field: 'email', op: '=', value: 'a' }] });
    assert.equal(hasEmptyGroup(update(removed, keyOf('/and/0'), () => null)!), true);
  });

  it('groups and nots combine their leaves as the server does', () => {
    const tree = fromJson({ and: [{ list: 'a' }, { not: { or: [{ list: 'b' }, { list: 'c' }] } }] });
    const leaves: Record<string, boolean> = { '/and/0': true, '/and/1/not/or/0': false, '/and/1/not/or/1': false };
    const t = truth(tree, (ptr) => leaves[ptr]);
    assert.equal(t.get(tree.key), true);
    leaves['/and/1/not/or/1'] = true;
    assert.equal(truth(tree, (ptr) => leaves[ptr]).get(tree.key), false);
  });
});
