import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { evaluate, type RefContact, type RefWorld } from '../../../test/helpers/segment-reference.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import { majorityCutoff } from '../consent/gate.ts';
import type { FilterNode } from './filter.model.ts';
import type { Segment } from './segments.model.ts';

// Small pools so conditions often match; Unicode (accents, CJK, emoji beyond the BMP),
// empty strings, prefixes of each other and ASCII/non-ASCII order traps.
const TEXTS = [
  '',
  'a',
  'A',
  'ab',
  'abc',
  'Zoë',
  'zoe',
  'Ωmega',
  '東京',
  '😀',
  '😀x',
  '\uffff',
  '\u{10FFFF}',
  'a\u{10FFFF}',
  'a\u{10FFFF}b',
  'é',
  'e\u0301',
  "O'Brien",
  '%_',
  ' a ',
  // Case pairs beyond ASCII: accents, ß (lower of itself, upper SS), dotted İ (lowers to two
  // code points), final sigma, Cyrillic, a supplementary-plane letter (Deseret).
  'ZOË',
  'zoë',
  'ÉCOLE',
  'école',
  'Straße',
  'STRASSE',
  'İstanbul',
  'i̇stanbul',
  'ΟΔΟΣ',
  'οδος',
  'Москва',
  'МОСКВА',
  '𐐀',
  '𐐨',
];
const COUNTRIES = ['DE', 'FR', 'PT', 'JP'];
const NUMBERS = [-1.5, 0, 1, 2, 2.5, 3, 42, 1e6];
const DATES = ['1990-01-01', '2000-02-29', '2010-06-15', '2012-12-31', '2020-05-05'];
const DATETIMES = ['2026-01-01T00:00:00.000Z', '2026-03-01T12:00:00.000Z', '2026-06-01T00:00:00.000Z'];
const NOW = new Date('2026-06-15T12:00:00.000Z');
const TYPES = ['email_clicked', 'email_opened', 'page_visited'];
const REFS = ['m1', 'm2', 'p1'];

const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 3 });

const contactArb = fc.record({
  email: fc.constantFrom(...TEXTS.filter((t) => t.trim() !== '')),
  first_name: nullable(fc.constantFrom(...TEXTS)),
  last_name: nullable(fc.constantFrom(...TEXTS)),
  country: nullable(fc.constantFrom(...COUNTRIES)),
  birth_date: nullable(fc.constantFrom(...DATES)),
  is_child: fc.constantFrom(0, 0, 0, 1),
  guardian_consent: fc.constantFrom(0, 1),
  consent_level: fc.integer({ min: 0, max: 5 }),
  created_at: fc.constantFrom(...DATETIMES),
  cf_nick: nullable(fc.constantFrom(...TEXTS)),
  cf_score: nullable(fc.constantFrom(...NUMBERS)),
  cf_vip: nullable(fc.constantFrom(0, 1)),
  cf_since: nullable(fc.constantFrom(...DATES)),
  lists: fc.subarray([0, 1]),
  events: fc.array(
    fc.record({ type: fc.constantFrom(...TYPES), ref: nullable(fc.constantFrom(...REFS)), daysAgo: fc.integer({ min: 0, max: 60 }) }),
    { maxLength: 4 },
  ),
});

type Field = { name: string; values: unknown[]; ops: string[]; type?: 'number' | 'date' };
const TEXT_OPS = ['=', '!=', '<', '<=', '>', '>=', 'in', 'contains', 'starts_with', 'is_null', 'icontains', 'istarts_with', 'iequals'];
const FIELDS: Field[] = [
  { name: 'email', values: TEXTS, ops: TEXT_OPS },
  { name: 'firstName', values: TEXTS, ops: TEXT_OPS },
  { name: 'lastName', values: TEXTS, ops: TEXT_OPS },
  { name: 'country', values: COUNTRIES, ops: TEXT_OPS },
  { name: 'birthDate', values: DATES, ops: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is_null'], type: 'date' },
  { name: 'consentLevel', values: [0, 1, 2.5, 3, 5], ops: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is_null'], type: 'number' },
  { name: 'createdAt', values: [...DATETIMES, '2026-03-01T12:00:00Z'], ops: ['=', '!=', '<', '<=', '>', '>=', 'is_null'] },
  { name: 'isChild', values: [true, false], ops: ['=', '!=', 'is_null'] },
  { name: 'customFields.nick', values: TEXTS, ops: TEXT_OPS },
  { name: 'customFields.score', values: NUMBERS, ops: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is_null'], type: 'number' },
  { name: 'customFields.vip', values: [true, false], ops: ['=', '!=', 'is_null'] },
  { name: 'customFields.since', values: DATES, ops: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is_null'], type: 'date' },
];

/** Values a list may hold besides the pool's: any code point but NUL, any finite double, any date. */
function noise(f: Field): fc.Arbitrary<unknown> {
  if (f.type === 'number') return fc.double({ noNaN: true, noDefaultInfinity: true });
  if (f.type === 'date')
    return fc
      .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  return fc.string({ unit: 'binary', maxLength: 12 }).filter((t) => !t.includes('\u0000'));
}

/**
 * A long `in` list (up to the 1,000 a list may hold), duplicates allowed, with some pool values
 * among the noise so it still selects someone: compiled to one parameter, it must mean what the
 * short lists mean.
 */
function longList(f: Field): fc.Arbitrary<unknown[]> {
  return fc
    .tuple(fc.subarray(f.values, { minLength: 1 }), fc.array(noise(f), { minLength: 100, maxLength: 1000 - f.values.length }))
    .map(([pool, rest]) => [...rest.slice(0, rest.length >> 1), ...pool, ...rest.slice(rest.length >> 1)]);
}

function leafArb(listIds: string[]): fc.Arbitrary<FilterNode> {
  const fieldLeaf = fc.constantFrom(...FIELDS).chain((f) =>
    fc.constantFrom(...f.ops).chain((op) => {
      if (op === 'is_null')
        return fc
          .option(fc.boolean(), { nil: undefined })
          .map((v) => ({ field: f.name, op, ...(v === undefined ? {} : { value: v }) }) as FilterNode);
      if (op === 'in')
        return fc
          .oneof(
            { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...f.values), { minLength: 1, maxLength: 4 }) },
            { weight: 1, arbitrary: longList(f) },
          )
          .map((v) => ({ field: f.name, op, value: v }) as FilterNode);
      return fc.constantFrom(...f.values).map((v) => ({ field: f.name, op, value: v }) as FilterNode);
    }),
  );
  return fc.oneof(
    { weight: 6, arbitrary: fieldLeaf },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }).map((n) => ({ consent: { atLeast: n } }) as FilterNode) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('requested', 'transactional', 'marketing', 'profiling').map((p) => ({ allowed: p }) as FilterNode),
    },
    { weight: 1, arbitrary: fc.constantFrom(...listIds).map((l) => ({ list: l }) as FilterNode) },
    {
      weight: 2,
      arbitrary: fc
        .record({
          type: fc.constantFrom(...TYPES),
          ref: fc.option(fc.constantFrom(...REFS), { nil: undefined }),
          withinDays: fc.option(fc.integer({ min: 1, max: 45 }), { nil: undefined }),
          atLeast: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        })
        .map((b) => ({ behaviour: Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)) }) as FilterNode),
    },
  );
}

function treeArb(listIds: string[]): fc.Arbitrary<FilterNode> {
  const { tree } = fc.letrec<{ tree: FilterNode }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb(listIds),
      fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
      tie('tree').map((not) => ({ not })),
    ),
  }));
  return tree;
}

forEachDialect('segment SQL equals the reference evaluator', (ctx) => {
  let s: Services;
  const listIds: string[] = [];
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, new FakeClock(NOW), createLogger('silent'));
    await s.settings.ensureDefaults();
    await s.customFields.define({ name: 'nick', type: 'text', personal: true });
    await s.customFields.define({ name: 'score', type: 'number', personal: false });
    await s.customFields.define({ name: 'vip', type: 'boolean', personal: false });
    await s.customFields.define({ name: 'since', type: 'date', personal: false });
    for (const n of ['L1', 'L2']) listIds.push((await s.lists.create({ name: n })).id);
  });

  it('for random trees over random contacts, lists and interactions', async () => {
    const settings = await s.settings.get();
    await fc.assert(
      fc.asyncProperty(
        fc.array(contactArb, { minLength: 1, maxLength: 25 }),
        fc.array(treeArb(listIds), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (people, trees, dataProtection) => {
          const k = ctx.db.kysely;
          await sql`delete from interactions`.execute(k);
          await sql`delete from list_members`.execute(k);
          await sql`delete from contacts`.execute(k);
          await s.settings.patch({ dataProtectionEnabled: dataProtection });
          const world: RefWorld = {
            contacts: [],
            members: [],
            interactions: [],
            now: NOW,
            childCutoff: majorityCutoff(NOW, settings.majorityAge),
            purposes: settings.purposes,
            dataProtection,
          };
          people.forEach((p, i) => {
            const { lists, events, ...cols } = p;
            const c: RefContact = { id: newId(), ...cols, email: `${i}${cols.email}` };
            world.contacts.push(c);
            for (const l of lists) world.members.push({ contact_id: c.id, list_id: listIds[l]! });
            for (const e of events)
              world.interactions.push({
                contact_id: c.id,
                type: e.type,
                ref: e.ref,
                at: new Date(NOW.getTime() - e.daysAgo * 86_400_000 - 1000).toISOString(),
              });
          });
          await k
            .insertInto('contacts')
            .values(world.contacts.map((c) => ({ ...c, updated_at: c.created_at })) as never)
            .execute();
          if (world.members.length)
            await k
              .insertInto('list_members')
              .values(world.members.map((m) => ({ ...m, joined_at: NOW.toISOString() })))
              .execute();
          if (world.interactions.length)
            await k
              .insertInto('interactions')
              .values(
                world.interactions.map((i) => ({
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
          for (const tree of trees) {
            const pred = await s.segments.predicate(tree);
            const got = new Set((await sql<{ id: string }>`select c.id from contacts c where ${pred}`.execute(k)).rows.map((r) => r.id));
            const want = new Set(world.contacts.filter((c) => evaluate(tree, c, world)).map((c) => c.id));
            assert.deepEqual([...got].sort(), [...want].sort(), JSON.stringify(tree));
            assert.equal(await s.segments.preview(tree), want.size);
          }
        },
      ),
      { numRuns: Number(process.env.SEGMENT_PROPERTY_RUNS ?? 60) },
    );
  });

  it('case-insensitive operators: every pool text against every other, as the evaluator says', async () => {
    const k = ctx.db.kysely;
    await sql`delete from interactions`.execute(k);
    await sql`delete from list_members`.execute(k);
    await sql`delete from contacts`.execute(k);
    const settings = await s.settings.get();
    const world: RefWorld = {
      contacts: TEXTS.map((t, i) => ({
        id: newId(),
        email: `${i}@x`,
        first_name: null,
        last_name: t,
        country: null,
        birth_date: null,
        is_child: 0,
        guardian_consent: 0,
        consent_level: 0,
        created_at: DATETIMES[0]!,
        cf_nick: t,
        cf_score: null,
        cf_vip: null,
        cf_since: null,
      })),
      members: [],
      interactions: [],
      now: NOW,
      childCutoff: majorityCutoff(NOW, settings.majorityAge),
      purposes: settings.purposes,
      dataProtection: false,
    };
    await k
      .insertInto('contacts')
      .values(world.contacts.map((c) => ({ ...c, updated_at: c.created_at })) as never)
      .execute();
    let matched = 0;
    for (const field of ['lastName', 'customFields.nick'])
      for (const op of ['icontains', 'istarts_with', 'iequals'])
        for (const value of TEXTS) {
          const tree = { field, op, value } as FilterNode;
          const pred = await s.segments.predicate(tree);
          const got = (await sql<{ id: string }>`select c.id from contacts c where ${pred}`.execute(k)).rows.map((r) => r.id).sort();
          const want = world.contacts
            .filter((c) => evaluate(tree, c, world))
            .map((c) => c.id)
            .sort();
          assert.deepEqual(got, want, JSON.stringify(tree));
          matched += want.length;
        }
    // The pool's case pairs do match each other (the test would prove little otherwise).
    assert.ok(matched > 3 * 2 * TEXTS.length);
  });

  it('explain agrees with membership for every contact', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb(listIds), async (tree) => {
        const seg = await s.segments.create({ name: 'explained', kind: 'dynamic', filter: tree });
        const members = new Set((await s.segments.members(seg.id, 10_000)).map((r) => r.id));
        const ids = (await ctx.db.kysely.selectFrom('contacts').select('id').execute()).map((r) => r.id);
        for (const id of ids) {
          const e = await s.segments.explain(seg.id, id);
          assert.equal(e.member, members.has(id), JSON.stringify(tree));
          assert.ok(e.conditions.length >= 1);
        }
        assert.equal(await s.segments.count(seg.id), members.size);
        await s.segments.delete(seg.id);
      }),
      { numRuns: 20 },
    );
  });

  it('membershipsOf names exactly the segments whose members include the contact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(treeArb(listIds), fc.constantFrom('dynamic', 'static')), { minLength: 1, maxLength: 5 }),
        async (defs) => {
          const segs: Segment[] = [];
          for (const [i, [filter, kind]] of defs.entries())
            segs.push(await s.segments.create({ name: `s${i}`, kind: kind as 'dynamic' | 'static', filter }));
          const members = new Map<string, Set<string>>();
          for (const seg of segs) members.set(seg.id, new Set((await s.segments.members(seg.id, 10_000)).map((r) => r.id)));
          const ids = (await ctx.db.kysely.selectFrom('contacts').select('id').execute()).map((r) => r.id);
          for (const id of [...ids, newId()]) {
            const got = await s.segments.membershipsOf(id);
            const want = segs.filter((seg) => members.get(seg.id)!.has(id)).map((seg) => ({ id: seg.id, name: seg.name, kind: seg.kind }));
            const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
            assert.deepEqual([...got.segments].sort(byId), want.sort(byId), JSON.stringify(defs));
            assert.deepEqual(got.notEvaluated, []);
          }
          for (const seg of segs) await s.segments.delete(seg.id);
        },
      ),
      { numRuns: 15 },
    );
  });

  // Last: it drops a column behind the app's back.
  it("membershipsOf: segments the database refuses are named, and hide no other segment's answer", async () => {
    await s.customFields.define({ name: 'gone', type: 'text', personal: false });
    await sql`alter table contacts drop column cf_gone`.execute(ctx.db.kysely);
    const refused: FilterNode = { field: 'customFields.gone', op: '=', value: 'x' };
    const ids = (await ctx.db.kysely.selectFrom('contacts').select('id').limit(6).execute()).map((r) => r.id);
    await fc.assert(
      // More segments than one query evaluates (100), the refused ones anywhere among them.
      fc.asyncProperty(
        fc.array(fc.tuple(treeArb(listIds), fc.boolean()), { minLength: 95, maxLength: 140 }),
        fc.integer({ min: 1, max: 5 }),
        async (defs, every) => {
          const segs: { bad: boolean; seg: Segment }[] = [];
          for (const [i, [tree, mixed]] of defs.entries()) {
            const bad = i % (every * 7) === every;
            const filter = bad ? (mixed ? { and: [tree, { not: refused }] } : refused) : tree;
            segs.push({ bad, seg: await s.segments.create({ name: `m${i}`, kind: 'dynamic', filter }) });
          }
          const members = new Map<string, Set<string>>();
          for (const { bad, seg } of segs)
            if (!bad) members.set(seg.id, new Set((await s.segments.members(seg.id, 10_000)).map((r) => r.id)));
          for (const id of [...ids, newId()]) {
            const got = await s.segments.membershipsOf(id);
            const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
            const want = segs
              .filter(({ bad, seg }) => !bad && members.get(seg.id)!.has(id))
              .map(({ seg }) => ({ id: seg.id, name: seg.name, kind: seg.kind }));
            assert.deepEqual([...got.segments].sort(byId), want.sort(byId));
            assert.deepEqual(
              [...got.notEvaluated].sort(byId),
              segs
                .filter((x) => x.bad)
                .map(({ seg }) => ({ id: seg.id, name: seg.name, kind: seg.kind, reason: 'query_failed' }))
                .sort(byId),
            );
          }
          for (const { seg } of segs) await s.segments.delete(seg.id);
        },
      ),
      { numRuns: 4 },
    );
  });
});
