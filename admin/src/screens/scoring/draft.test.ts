// The model editor's draft: every model of the contract survives model → draft → body unchanged
// (nested conditions on contact and lead fields, behaviours, negative points, Unicode names), the
// console's checks agree with the contract's limits, and the API's problems land at the field their
// path names — a condition's inside the rule's builder, at the node the pointer leads to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiFailure } from '../../api/client.ts';
import { nodeAt, pointers } from '../segments/filterTree.ts';
import { check, type Draft, fromModel, newRule, place, problemsOf, toBody } from './draft.ts';
import { leadFieldChoices, LEAD_BUILT_IN } from './leadFields.ts';
import type { Model, Rule } from './scoring.api.ts';
import { notScoredShort, notScoredWords, progressPercent } from './words.ts';

const text = fc.oneof(
  fc.constantFrom('Zoë', '東京', '😀', 'İstanbul', '"><script>', '<img src=x onerror=alert(1)>', 'a\u200bb', 'Straße'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s.length > 0),
);
const field = fc.constantFrom(
  'email',
  'country',
  'customFields.tier',
  'lead.title',
  'lead.status',
  'lead.value',
  'lead.createdAt',
  'lead.größe',
);
const leaf = fc.oneof(
  fc.record({ field, op: fc.constantFrom('=', '!=', 'contains', '>='), value: fc.oneof(text, fc.integer(), fc.boolean()) }),
  fc.record({ field, op: fc.constant('in'), value: fc.array(fc.oneof(text, fc.integer()), { minLength: 1, maxLength: 3 }) }),
  fc.record({ field, op: fc.constant('is_null'), value: fc.boolean() }),
  fc.record({ consent: fc.record({ atLeast: fc.integer({ min: 0, max: 5 }) }) }),
  fc.record({ allowed: fc.constantFrom('marketing', 'profiling') }),
  fc.record({
    behaviour: fc.record({ type: fc.constantFrom('email_opened', 'page_visited'), withinDays: fc.integer({ min: 1, max: 3650 }) }),
  }),
);
const { tree: filter } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ and: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('tree') }),
  ),
}));
const points = fc.integer({ min: -1000, max: 1000 }).filter((n) => n !== 0);
const rule: fc.Arbitrary<Rule> = fc.oneof(
  fc.record({ name: text, condition: filter, points }),
  fc.record(
    {
      name: text,
      behaviour: fc.record(
        {
          type: fc.constantFrom('email_opened', 'email_clicked', 'form_submitted', 'custom'),
          ref: text,
          atLeast: fc.integer({ min: 1, max: 100_000 }),
          withinDays: fc.integer({ min: 1, max: 3650 }),
        },
        { requiredKeys: ['type'] },
      ),
      points,
      decayDays: fc.integer({ min: 1, max: 3650 }),
    },
    { requiredKeys: ['name', 'behaviour', 'points'] },
  ),
);
const grades = fc
  .uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 4, maxLength: 4 })
  .map((xs) => xs.sort((a, b) => b - a))
  .map(([A, B, C, D]) => ({ A: A!, B: B!, C: C!, D: D! }));
const model: fc.Arbitrary<Model> = fc.record({
  id: fc.uuid(),
  name: text,
  requiredConsent: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('profiling', 'marketing', 'custom_purpose')),
  rules: fc.array(rule, { minLength: 1, maxLength: 5 }),
  grades,
  salesReady: fc.integer({ min: -1000, max: 1000 }),
  version: fc.nat(),
  createdAt: fc.constant('2026-01-01T00:00:00.000Z'),
  updatedAt: fc.constant('2026-01-01T00:00:00.000Z'),
  recompute: fc.constant({ state: 'never' as const, total: null, done: null, startedAt: null, finishedAt: null }),
});
// Plain objects, as the API's JSON is (fast-check's records have no prototype).
const input = (m: Model) =>
  JSON.parse(
    JSON.stringify({ name: m.name, requiredConsent: m.requiredConsent, rules: m.rules, grades: m.grades, salesReady: m.salesReady }),
  );

describe('scoring model draft', () => {
  it('gives every model back unchanged: model → draft → body', () => {
    fc.assert(
      fc.property(model, (m) => assert.deepEqual(toBody(fromModel(m)), input(m))),
      { numRuns: 300 },
    );
  });

  it('finds nothing to fix in a model the contract accepts', () => {
    fc.assert(
      fc.property(model, (m) => assert.deepEqual(check(fromModel(m)), [])),
      { numRuns: 300 },
    );
  });

  it('starts a new model with one rule, profiling required, descending grades, and asks for the missing parts', () => {
    const d = fromModel(undefined);
    assert.equal(d.requiredConsent, 'profiling');
    assert.equal(d.rules.length, 1);
    const paths = check(d).map((p) => p.path);
    // A name, and a condition in the empty group: the two things a new model lacks.
    assert.deepEqual(paths.sort(), ['/name', '/rules/0/condition']);
  });

  it('refuses points of 0, out of range, or not whole; windows and decay out of range', () => {
    const d: Draft = {
      ...fromModel(undefined),
      name: 'M',
      rules: [newRule('behaviour', 1), newRule('behaviour', 2), newRule('behaviour', 3)],
    };
    d.rules[0] = { ...d.rules[0]!, points: '0', decayDays: '3651' };
    d.rules[1] = { ...d.rules[1]!, points: '1001', withinDays: '0', atLeast: '-1' };
    d.rules[2] = { ...d.rules[2]!, points: '2.5', name: '  ' };
    const paths = check(d).map((p) => p.path);
    for (const p of [
      '/rules/0/points',
      '/rules/0/decayDays',
      '/rules/1/points',
      '/rules/1/behaviour/withinDays',
      '/rules/1/behaviour/atLeast',
      '/rules/2/points',
      '/rules/2/name',
    ])
      assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    // Negative points are allowed.
    d.rules = [{ ...newRule('behaviour', 1), points: '-1000' }];
    assert.deepEqual(check(d), []);
  });

  it('asks for grades strictly descending, at the lower grade', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 4, maxLength: 4 }), ([a, b, c, e]) => {
        const d: Draft = { ...fromModel(undefined), name: 'M', rules: [{ ...newRule('behaviour', 1) }] };
        d.grades = { A: String(a), B: String(b), C: String(c), D: String(e) };
        const descending = a! > b! && b! > c! && c! > e!;
        const problems = check(d).filter((p) => p.path.startsWith('/grades'));
        assert.equal(problems.length === 0, descending);
        if (b! >= a!) assert.ok(problems.some((p) => p.path === '/grades/B'));
      }),
    );
  });

  it('places the API problems at their fields, a condition problem at the node its pointer leads to', () => {
    fc.assert(
      fc.property(model, fc.nat(), (m, pick) => {
        const d = fromModel(m);
        const i = pick % d.rules.length;
        const r = d.rules[i]!;
        if (r.kind === 'condition') {
          const all = [...pointers(r.tree).values()];
          const inner = all[pick % all.length]!;
          const placed = place(d, [{ path: `/rules/${i}/condition${inner}/value`, message: 'bad' }]);
          const got = placed.conditions.get(i);
          assert.deepEqual(got, [{ path: `${inner}/value`, message: 'bad' }]);
          assert.equal(nodeAt(r.tree, got![0]!.path), nodeAt(r.tree, inner));
          assert.equal(placed.general.length, 0);
        } else {
          const placed = place(d, [
            { path: `/rules/${i}/behaviour/withinDays`, message: 'too long' },
            { path: `/rules/${i}/decayDays`, message: 'too long' },
          ]);
          assert.deepEqual(placed.fields.get(`/rules/${i}/behaviour/withinDays`), ['too long']);
          assert.deepEqual(placed.fields.get(`/rules/${i}/decayDays`), ['too long']);
        }
        const more = place(d, [
          { path: '/grades/C', message: 'c' },
          { path: '/grades', message: 'order' },
          { path: `/rules/${d.rules.length + 3}/points`, message: 'no such rule' },
          { path: '/somethingElse', message: 'other' },
          { path: '', message: 'whole' },
        ]);
        assert.deepEqual(more.fields.get('/grades/C'), ['c']);
        assert.deepEqual(more.fields.get('/grades'), ['order']);
        // A rule that is not there is the rules' problem; what names no field shown is kept at the top: no message is lost.
        assert.deepEqual(more.fields.get('/rules'), ['no such rule']);
        assert.deepEqual(more.general, ['/somethingElse: other', 'whole']);
      }),
      { numRuns: 200 },
    );
  });

  it('reads the API refusals: a details list, {problems}, an unknown purpose', () => {
    const list = new ApiFailure(400, 'validation_failed', 'invalid', [{ path: '/rules/0/points', message: 'not 0' }]);
    assert.deepEqual(problemsOf(list), [{ path: '/rules/0/points', message: 'not 0' }]);
    const wrapped = new ApiFailure(422, 'validation_failed', 'invalid', { problems: [{ path: '/rules/2/condition/and/0', message: 'x' }] });
    assert.deepEqual(problemsOf(wrapped), [{ path: '/rules/2/condition/and/0', message: 'x' }]);
    const purpose = new ApiFailure(422, 'unknown_purpose', 'no such purpose: sales');
    assert.deepEqual(problemsOf(purpose), [{ path: '/requiredConsent', message: 'no such purpose: sales' }]);
    assert.deepEqual(problemsOf(new ApiFailure(400, 'validation_failed', 'the body ' + 'is invalid')), [
      { path: '', message: 'the body is invalid' },
    ]);
    assert.equal(problemsOf(new ApiFailure(500, 'internal', 'x')), null);
    assert.equal(problemsOf(new Error('x')), null);
  });
});

describe('scoring words', () => {
  it('says why a lead is not scored in plain words, naming the requirement', () => {
    assert.equal(notScoredWords('below_required_level', 'profiling'), 'Not scored: this person has not agreed to profiling.');
    assert.equal(notScoredWords('below_required_level', 'consent_request'), 'Not scored: this person has not agreed to consent request.');
    assert.equal(
      notScoredWords('below_required_level', 4, (n) => (n === 4 ? 'Marketing' : '?')),
      "Not scored: this person's consent is below Marketing.",
    );
    assert.match(notScoredWords('child_never_profiled', 'profiling'), /child.*never profiled/);
    assert.match(notScoredWords(null), /recompute/);
    fc.assert(
      fc.property(fc.string(), (reason) => {
        assert.match(notScoredWords(reason, 'profiling'), /^Not scored/);
        assert.ok(notScoredShort(reason).length > 0);
      }),
    );
  });

  it('never shows 100% before the end, never beyond 0..100', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: -5, max: 2_000_000 })), fc.option(fc.integer({ min: -5, max: 2_000_000 })), (done, total) => {
        const p = progressPercent(done, total);
        assert.ok(p >= 0 && p <= 100 && Number.isInteger(p));
        if (p === 100) assert.ok(done !== null && total !== null && done >= total);
      }),
    );
  });
});

describe('lead fields for scoring', () => {
  it('offers the contract’s lead fields and each custom lead field as lead.<name>', () => {
    assert.deepEqual(
      LEAD_BUILT_IN.map((f) => f.name),
      ['lead.title', 'lead.status', 'lead.value', 'lead.ownerId', 'lead.createdAt'],
    );
    const field = (name: string, label: string, type: string) => ({
      id: name,
      name,
      label,
      type,
      personal: false,
      column: `cf_${name}`,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const choices = leadFieldChoices([field('größe', 'Größe', 'number'), field('tier', '', 'weird')]);
    assert.deepEqual(
      choices.slice(5).map((c) => [c.name, c.label, c.type]),
      [
        ['lead.größe', 'Größe', 'number'],
        ['lead.tier', 'tier', 'text'],
      ],
    );
    assert.ok(choices.every((c) => c.group?.startsWith('Lead')));
  });

  it('offers exactly the lead fields the server’s lead scope knows, with their types', async () => {
    // Loaded at run time: the console's compiler must not follow the server module's imports (Fastify, Kysely).
    const server = new URL('../../../../src/modules/scoring/scoring.model.ts', import.meta.url).href;
    const { LEAD_FIELDS } = (await import(server)) as { LEAD_FIELDS: Record<string, { type: string }> };
    assert.deepEqual(
      LEAD_BUILT_IN.map((f) => [f.name, f.type]),
      Object.entries(LEAD_FIELDS).map(([name, f]) => [`lead.${name}`, f.type]),
    );
  });
});
