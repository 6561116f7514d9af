import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { expectedAnswer } from '../../../test/helpers/consent-rule.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';

/*
 * Incremental == bulk == an independent evaluator, and the explanation sums to the score: random
 * contacts (Unicode, empty and null fields, children, duplicates), leads (with a custom lead
 * field), interactions (types, refs, times on the window and decay boundaries) and random models
 * (conditions over contact and lead fields nested in and/or/not, behaviour rules, negative
 * points, decay), under random requirements with data protection on or off. The evaluator below
 * is written from the contract's words, not from the compiler.
 */

const NOW = new Date('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const TEXTS = ['', 'a', 'A', 'ab', 'Zoë', 'zoe', '東京', '😀', '😀x', '\uffff', 'é', 'e\u0301', "O'Brien", '%_', ' a '];
const COUNTRIES = ['DE', 'FR', '', 'ΑΒ'];
const STATUSES = ['open', 'qualified', 'won', 'lost'];
const VALUES = [-1.5, 0, 1, 500, 1e6];
const DATES = ['1990-01-01', '2010-06-15', '2010-06-16', '2012-02-29'];
const DATETIMES = ['2026-01-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z', '2026-06-15T12:00:00.000Z'];
const TYPES = ['email_clicked', 'email_opened', 'page_visited'] as const;
const REFS = ['m1', 'm2', 'p1'];
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 3 });

// ---- the world --------------------------------------------------------------------------

interface C {
  id: string;
  email: string;
  first_name: string | null;
  company: string | null;
  country: string | null;
  birth_date: string | null;
  is_child: number;
  guardian_consent: number;
  consent_level: number;
}
interface L {
  id: string;
  contact_id: string;
  title: string;
  status: string;
  value: number | null;
  created_at: string;
  cf_tier: string | null;
}
interface I {
  contact_id: string;
  type: string;
  ref: string | null;
  at: string;
}

const contactArb = fc.record({
  first_name: nullable(fc.constantFrom(...TEXTS)),
  company: nullable(fc.constantFrom(...TEXTS)),
  country: nullable(fc.constantFrom(...COUNTRIES)),
  birth_date: nullable(fc.constantFrom(...DATES)),
  is_child: fc.constantFrom(0, 0, 0, 1),
  guardian_consent: fc.constantFrom(0, 1),
  consent_level: fc.integer({ min: 0, max: 5 }),
  leads: fc.array(
    fc.record({
      title: fc.constantFrom(...TEXTS),
      status: fc.constantFrom(...STATUSES),
      value: nullable(fc.constantFrom(...VALUES)),
      created_at: fc.constantFrom(...DATETIMES),
      cf_tier: nullable(fc.constantFrom(...TEXTS)),
    }),
    { maxLength: 3 },
  ),
  // Whole days back with an offset that lands on the boundaries (exactly N days, a millisecond
  // either side), and a little in the future.
  events: fc.array(
    fc.record({
      type: fc.constantFrom(...TYPES),
      ref: nullable(fc.constantFrom(...REFS)),
      days: fc.integer({ min: 0, max: 40 }),
      offset: fc.constantFrom(0, 1, -1, 3_600_000, -3_600_000),
      copies: fc.constantFrom(1, 1, 2),
    }),
    { maxLength: 6 },
  ),
});

// ---- the models -------------------------------------------------------------------------

type Node = Record<string, unknown>;
interface FieldDef {
  name: string;
  values: unknown[];
  ops: string[];
}
const TEXT_OPS = ['=', '!=', '<', '>=', 'in', 'contains', 'is_null'];
const NUM_OPS = ['=', '!=', '<', '>=', 'in', 'is_null'];
const FIELDS: FieldDef[] = [
  { name: 'firstName', values: TEXTS, ops: TEXT_OPS },
  { name: 'company', values: TEXTS, ops: TEXT_OPS },
  { name: 'country', values: COUNTRIES, ops: TEXT_OPS },
  { name: 'consentLevel', values: [0, 3, 4.5, 5], ops: NUM_OPS },
  { name: 'isChild', values: [true, false], ops: ['=', '!=', 'is_null'] },
  { name: 'lead.title', values: TEXTS, ops: TEXT_OPS },
  { name: 'lead.status', values: STATUSES, ops: TEXT_OPS },
  { name: 'lead.value', values: VALUES, ops: NUM_OPS },
  { name: 'lead.createdAt', values: DATETIMES, ops: ['=', '!=', '<', '>=', 'is_null'] },
  { name: 'lead.tier', values: TEXTS, ops: TEXT_OPS },
];

const behaviourArb = fc
  .record({
    type: fc.constantFrom(...TYPES),
    ref: fc.option(fc.constantFrom(...REFS), { nil: undefined }),
    atLeast: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    withinDays: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  })
  .map((b) => Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)));

const leafArb: fc.Arbitrary<Node> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(...FIELDS).chain((f) =>
      fc.constantFrom(...f.ops).chain((op): fc.Arbitrary<Node> => {
        if (op === 'is_null')
          return fc.option(fc.boolean(), { nil: undefined }).map((v) => ({ field: f.name, op, ...(v === undefined ? {} : { value: v }) }));
        if (op === 'in')
          return fc.uniqueArray(fc.constantFrom(...f.values), { minLength: 1, maxLength: 3 }).map((v) => ({ field: f.name, op, value: v }));
        return fc.constantFrom(...f.values).map((v) => ({ field: f.name, op, value: v }));
      }),
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }).map((n) => ({ consent: { atLeast: n } })) },
  { weight: 2, arbitrary: behaviourArb.map((b) => ({ behaviour: b })) },
);

const treeArb: fc.Arbitrary<Node> = fc.letrec<{ tree: Node }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    tie('tree').map((not) => ({ not })),
  ),
})).tree;

const pointsArb = fc.integer({ min: -1000, max: 1000 }).filter((p) => p !== 0);
const ruleArb = fc.oneof(
  fc.record({ name: fc.constantFrom('Cond', 'Bedingung ✓', '条件'), condition: treeArb, points: pointsArb }),
  fc
    .record({
      name: fc.constantFrom('Behaviour', 'Verhalten'),
      behaviour: behaviourArb,
      points: pointsArb,
      decayDays: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
    })
    .map((r) => (r.decayDays === undefined ? { name: r.name, behaviour: r.behaviour, points: r.points } : r)),
);
const modelArb = fc.record({
  rules: fc.array(ruleArb, { minLength: 1, maxLength: 5 }),
  // Mostly requirements below profiling's level, so that many leads are scored (and their decay seen).
  requiredConsent: fc.constantFrom<number | string>('profiling', 'marketing', 'transactional', 'transactional', 'consent_request', 0, 3, 5),
  grades: fc
    .uniqueArray(fc.integer({ min: -500, max: 1500 }), { minLength: 4, maxLength: 4 })
    .map((g) => g.sort((a, b) => b - a))
    .map(([A, B, C, D]) => ({ A: A!, B: B!, C: C!, D: D! })),
  salesReady: fc.integer({ min: -200, max: 1200 }),
});

// ---- the independent evaluator ----------------------------------------------------------

/** Code point order, as both databases compare text (binary / C collation). */
function cmp(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

interface World {
  contacts: Map<string, C>;
  interactions: I[];
  cutoff: string;
}

const LEAD_COLUMNS: Record<string, keyof L> = {
  'lead.title': 'title',
  'lead.status': 'status',
  'lead.value': 'value',
  'lead.createdAt': 'created_at',
  'lead.tier': 'cf_tier',
};
const CONTACT_COLUMNS: Record<string, keyof C> = {
  firstName: 'first_name',
  company: 'company',
  country: 'country',
  consentLevel: 'consent_level',
};

const isChildOf = (c: C, cutoff: string) => c.is_child === 1 || (c.birth_date !== null && c.birth_date > cutoff);

function counted(b: Node, contactId: string, w: World): I[] {
  const since = b.withinDays === undefined ? null : new Date(NOW.getTime() - (b.withinDays as number) * DAY).toISOString();
  return w.interactions.filter(
    (i) => i.contact_id === contactId && i.type === b.type && (b.ref === undefined || i.ref === b.ref) && (since === null || i.at >= since),
  );
}

function holds(n: Node, l: L, c: C, w: World): boolean {
  if ('and' in n) return (n.and as Node[]).every((x) => holds(x, l, c, w));
  if ('or' in n) return (n.or as Node[]).some((x) => holds(x, l, c, w));
  if ('not' in n) return !holds(n.not as Node, l, c, w);
  if ('consent' in n) return c.consent_level >= (n.consent as { atLeast: number }).atLeast;
  if ('behaviour' in n) {
    const b = n.behaviour as Node;
    return counted(b, c.id, w).length >= ((b.atLeast as number | undefined) ?? 1);
  }
  const { field, op, value } = n as { field: string; op: string; value?: unknown };
  if (field === 'isChild') {
    if (op === 'is_null') return value === false;
    return isChildOf(c, w.cutoff) === ((op === '=') === (value === true));
  }
  const v = (field in LEAD_COLUMNS ? l[LEAD_COLUMNS[field]!] : c[CONTACT_COLUMNS[field]!]) as string | number | null;
  if (op === 'is_null') return value === false ? v !== null : v === null;
  if (op === '!=') return v === null || v !== value;
  if (v === null) return false;
  const order = (a: unknown, b: unknown) => (typeof a === 'number' ? a - (b as number) : cmp(a as string, b as string));
  switch (op) {
    case '=':
      return v === value;
    case '<':
      return order(v, value) < 0;
    case '>=':
      return order(v, value) >= 0;
    case 'in':
      return (value as unknown[]).includes(v);
    case 'contains':
      return (v as string).includes(value as string);
  }
  throw new Error(`evaluator lacks ${op}`);
}

/** Behaviour rules that gave faded points (neither full nor none), over the whole run. */
let partlyDecayed = 0;

interface Expected {
  score: number | null;
  grade: string | null;
  salesReady: number;
  reason: string;
}

function expected(
  model: { rules: Node[]; requiredConsent: number | string; grades: Record<string, number>; salesReady: number },
  l: L,
  w: World,
  purposes: Record<string, number>,
  dataProtection: boolean,
): Expected {
  const c = w.contacts.get(l.contact_id)!;
  const purpose = typeof model.requiredConsent === 'string' ? model.requiredConsent : 'profiling';
  const required = Math.max(purposes[purpose]!, typeof model.requiredConsent === 'number' ? model.requiredConsent : 0);
  const gate = expectedAnswer(
    { storedLevel: c.consent_level, child: isChildOf(c, w.cutoff), guardianConsent: c.guardian_consent === 1 },
    { purpose, required, dataProtection, caller: 'scoring' },
  );
  if (!gate.allowed) return { score: null, grade: null, salesReady: 0, reason: gate.reason };
  let score = 0;
  for (const r of model.rules) {
    if ('condition' in r) {
      if (holds(r.condition as Node, l, c, w)) score += r.points as number;
      continue;
    }
    const b = r.behaviour as Node;
    const hits = counted(b, c.id, w);
    if (hits.length < ((b.atLeast as number | undefined) ?? 1)) continue;
    if (r.decayDays === undefined) {
      score += r.points as number;
      continue;
    }
    const latest = Math.max(...hits.map((i) => Date.parse(i.at)));
    const age = Math.max(0, Math.floor((NOW.getTime() - latest) / DAY));
    const D = r.decayDays as number;
    if (age < D) score += Math.trunc(((r.points as number) * (D - age)) / D);
    if (age > 0 && age < D) partlyDecayed++;
  }
  const g = model.grades;
  const grade = score >= g.A! ? 'A' : score >= g.B! ? 'B' : score >= g.C! ? 'C' : score >= g.D! ? 'D' : null;
  return { score, grade, salesReady: score >= model.salesReady ? 1 : 0, reason: gate.reason };
}

// ---- the property -----------------------------------------------------------------------

forEachDialect('scoring: incremental == bulk == the independent evaluator', (ctx) => {
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, new FakeClock(NOW), createLogger('silent'));
    await s.settings.ensureDefaults();
    // A custom lead field as the leads module makes them: a definition and a typed column.
    await sql`alter table leads add column cf_tier text`.execute(ctx.db.kysely);
    await ctx.db.kysely
      .insertInto('lead_fields')
      .values({
        id: newId(),
        name: 'tier',
        label: 'Tier',
        type: 'text',
        personal: 0,
        column_name: 'cf_tier',
        created_at: NOW.toISOString(),
      })
      .execute();
  });

  it('for random contacts, leads, interactions and models', async () => {
    const settings = await s.settings.get();
    const cutoff = `${NOW.getUTCFullYear() - settings.majorityAge}-06-15`;
    let runs = 0;
    // How much the runs exercised: leads compared, scored, and scored with a non-zero score.
    const seen = { compared: 0, scored: 0, nonZero: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(contactArb, { minLength: 1, maxLength: 12 }),
        fc.array(modelArb, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        async (people, models, dataProtection, split) => {
          runs++;
          const k = ctx.db.kysely;
          await sql`delete from scoring_models`.execute(k);
          await sql`delete from interactions`.execute(k);
          await sql`delete from leads`.execute(k);
          await sql`delete from contacts`.execute(k);
          await s.settings.patch({ dataProtectionEnabled: dataProtection });
          const w: World = { contacts: new Map(), interactions: [], cutoff };
          const leads: L[] = [];
          people.forEach((p, i) => {
            const { leads: ls, events, ...cols } = p;
            const c: C = { id: newId(), email: `${i}@example.com`, ...cols };
            w.contacts.set(c.id, c);
            // Duplicates: a contact's leads may be alike in every field.
            for (const l of ls) leads.push({ id: newId(), contact_id: c.id, ...l });
            for (const e of events)
              for (let n = 0; n < e.copies; n++)
                w.interactions.push({
                  contact_id: c.id,
                  type: e.type,
                  ref: e.ref,
                  at: new Date(NOW.getTime() - e.days * DAY + e.offset).toISOString(),
                });
          });
          const stamp = NOW.toISOString();
          await k
            .insertInto('contacts')
            .values([...w.contacts.values()].map((c) => ({ ...c, created_at: stamp, updated_at: stamp })) as never)
            .execute();
          if (leads.length)
            await k
              .insertInto('leads')
              .values(leads.map((l) => ({ ...l, owner_id: null, updated_at: stamp })) as never)
              .execute();
          if (w.interactions.length)
            await k
              .insertInto('interactions')
              .values(
                w.interactions.map((i) => ({
                  id: newId(),
                  ...i,
                  name: null,
                  message_id: null,
                  journey_id: null,
                  page_id: null,
                  url: null,
                  properties: null,
                })),
              )
              .execute();
          const ids: string[] = [];
          for (const m of models) ids.push((await s.scoring.create({ name: 'P', ...m } as never)).id);
          const read = async (modelId: string) =>
            new Map(
              (await k.selectFrom('lead_scores').selectAll().where('model_id', '=', modelId).execute()).map((r) => [
                r.lead_id,
                { score: r.score === null ? null : Number(r.score), grade: r.grade, salesReady: Number(r.sales_ready), reason: r.reason },
              ]),
            );
          // Bulk.
          const bulk = new Map<string, Map<string, Expected>>();
          for (const id of ids) {
            await s.scoring.recompute(id);
            bulk.set(id, await read(id));
          }
          // Incremental, in `split` random-ish parts (by position), from nothing.
          await sql`delete from lead_scores`.execute(k);
          for (let part = 0; part < split; part++) await s.scoring.scoreLeads(leads.filter((_, i) => i % split === part).map((l) => l.id));
          for (let mi = 0; mi < models.length; mi++) {
            const id = ids[mi]!;
            const incremental = await read(id);
            assert.equal(bulk.get(id)!.size, leads.length);
            for (const l of leads) {
              const want = expected(models[mi] as never, l, w, settings.purposes, dataProtection);
              const who = JSON.stringify(w.contacts.get(l.contact_id));
              const ctxt = `${JSON.stringify(models[mi])} lead ${JSON.stringify(l)} contact ${who}`;
              assert.deepEqual(bulk.get(id)!.get(l.id), want, `bulk: ${ctxt}`);
              assert.deepEqual(incremental.get(l.id), want, `incremental: ${ctxt}`);
              seen.compared++;
              if (want.score !== null) seen.scored++;
              if (want.score) seen.nonZero++;
            }
          }
          // The explanation: live, equal to the stored score, its points summing to it.
          for (const l of leads.slice(0, 3)) {
            for (const e of await s.scoring.explain(l.id)) {
              const mi = ids.indexOf(e.modelId);
              const want = expected(models[mi] as never, l, w, settings.purposes, dataProtection);
              assert.equal(e.score, want.score);
              assert.equal(e.reason, want.reason);
              if (e.score !== null)
                assert.equal(
                  e.rules.reduce((a, r) => a + r.points, 0),
                  e.score,
                );
              else assert.deepEqual(e.rules, []);
            }
          }
        },
      ),
      { numRuns: Number(process.env.SCORING_PROPERTY_RUNS ?? 40) },
    );
    assert.ok(runs > 0);
    console.log(`scoring property: ${runs} runs`, seen, { partlyDecayed });
    // The runs must have scored leads; faded points are logged (the HTTP test checks decay on fixed data).
    assert.ok(seen.scored > 0 && seen.nonZero > 0, JSON.stringify({ ...seen, partlyDecayed }));
  });
});
