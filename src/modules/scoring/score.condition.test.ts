import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { json, type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { ADMIT_QUEUE, RUN_QUEUE } from '../journeys/journeys.jobs.ts';
import type { ScoreCondition } from './score.condition.ts';
import { validateScore } from './score.condition.ts';

const GRADES = ['A', 'B', 'C', 'D'] as const;
const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;

interface Row {
  model_id: string;
  lead_id: string;
  contact_id: string;
  score: number | null;
  grade: string | null;
  sales_ready: number;
}

/** The reference: a leaf of the tree evaluated from the rows in memory, not through SQL. */
function holds(node: unknown, contactId: string, rows: readonly Row[]): boolean {
  const n = node as Record<string, unknown>;
  if ('and' in n) return (n.and as unknown[]).every((c) => holds(c, contactId, rows));
  if ('or' in n) return (n.or as unknown[]).some((c) => holds(c, contactId, rows));
  if ('not' in n) return !holds(n.not, contactId, rows);
  const s = n.score as ScoreCondition;
  return rows.some(
    (r) =>
      r.contact_id === contactId &&
      r.model_id === s.modelId &&
      r.score !== null &&
      (s.atLeast === undefined || r.score >= s.atLeast) &&
      (s.below === undefined || r.score < s.below) &&
      (s.grade === undefined || (r.grade !== null && s.grade.includes(r.grade as never))) &&
      (s.salesReady === undefined || r.sales_ready === (s.salesReady ? 1 : 0)),
  );
}

forEachDialect('the segment `score` condition', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-09-01T09:00:00.000Z');
  const models: string[] = [];
  const contacts: string[] = [];
  let rows: Row[] = [];
  const api = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, role = 'marketer' as const) => {
    const r = await t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: r.statusCode, body: r.body ? json(r) : null };
  };
  const addModel = async (name: string) => {
    const id = newId();
    const at = clock.now().toISOString();
    await ctx.db.kysely
      .insertInto('scoring_models')
      .values({
        id,
        name,
        required_level: null,
        required_purpose: 'profiling',
        rules: '[]',
        grades: '{"A":80,"B":60,"C":40,"D":20}',
        sales_ready: 70,
        version: 1,
        created_at: at,
        updated_at: at,
        recompute_job_id: null,
        recompute_total: null,
        recompute_done: null,
        recompute_started_at: null,
        recompute_finished_at: null,
      })
      .execute();
    return id;
  };

  before(async () => {
    t = await testApp(ctx.db, { clock });
    for (const name of ['Fit', 'Engagement ünïcödé “x”']) models.push(await addModel(name));
    for (let i = 0; i < 12; i++) contacts.push((await t.services.contacts.create({ email: `score${i}@example.com` })).id);
  });
  after(() => t.close());

  /** Replaces every lead and score with `spec`: per contact, leads with a row per model (or none). */
  async function seed(spec: { contact: number; model: number; score: number | null; salesReady: boolean }[]) {
    await ctx.db.kysely.deleteFrom('lead_scores').execute();
    await ctx.db.kysely.deleteFrom('leads').execute();
    rows = [];
    const at = clock.now().toISOString();
    for (const s of spec) {
      const leadId = newId();
      const contactId = contacts[s.contact]!;
      await ctx.db.kysely
        .insertInto('leads')
        .values({
          id: leadId,
          contact_id: contactId,
          title: 'Deal ' + '✓',
          status: 'open',
          owner_id: null,
          value: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      const grade = s.score === null ? null : (GRADES.find((_, i) => s.score! >= [80, 60, 40, 20][i]!) ?? null);
      const row: Row = {
        model_id: models[s.model]!,
        lead_id: leadId,
        contact_id: contactId,
        score: s.score,
        grade,
        sales_ready: s.score !== null && s.salesReady ? 1 : 0,
      };
      rows.push(row);
      await ctx.db.kysely
        .insertInto('lead_scores')
        .values({
          ...row,
          reason: s.score === null ? 'below_required_level' : 'allowed',
          model_version: 1,
          computed_at: at,
          ready_at: row.sales_ready ? at : null,
        })
        .execute();
    }
  }

  const leaf = fc.record(
    {
      modelId: fc.constantFrom(0, 1),
      atLeast: fc.integer({ min: -50, max: 120 }),
      below: fc.integer({ min: -50, max: 120 }),
      grade: fc.uniqueArray(fc.constantFrom(...GRADES), { minLength: 1, maxLength: 4 }),
      salesReady: fc.boolean(),
    },
    { requiredKeys: ['modelId'] },
  );
  const tree = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      fc.record({ and: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ or: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ not: tie('node') }),
    ),
    leaf: leaf
      .filter((l) => Object.keys(l).length > 1)
      .map((l) => ({ score: { ...l, modelId: models[l.modelId as number]! } as ScoreCondition })),
  })).node;
  const seeds = fc.array(
    fc.record({
      contact: fc.integer({ min: 0, max: 11 }),
      model: fc.integer({ min: 0, max: 1 }),
      score: fc.option(fc.integer({ min: -30, max: 110 }), { nil: null }),
      salesReady: fc.boolean(),
    }),
    { maxLength: 20 },
  );

  it('its members are the contacts whose lead_scores rows match, for any scores and trees of and/or/not', async () => {
    await fc.assert(
      fc.asyncProperty(seeds, tree, async (spec, filter) => {
        await seed(spec);
        const want = contacts.filter((c) => holds(filter, c, rows)).sort();
        const pred = await t.services.segments.predicate(filter);
        const got = (
          await ctx.db.kysely
            .selectFrom('contacts as c')
            .select('c.id')
            .where(() => pred)
            .where('c.id', 'in', contacts)
            .execute()
        )
          .map((r) => r.id)
          .sort();
        assert.deepEqual(got, want, JSON.stringify({ filter, rows }));
        // Explain evaluates each leaf for one contact (the one-contact narrowing) and agrees.
        const seg = await t.services.segments.create({ name: 'p', kind: 'dynamic', filter });
        for (const c of contacts.slice(0, 4)) {
          const ex = await t.services.segments.explain(seg.id, c);
          assert.equal(ex.member, want.includes(c));
        }
        await t.services.segments.delete(seg.id);
      }),
      { numRuns: 25 },
    );
  });

  it('is refused with the path when malformed (400) or when its model does not exist (422)', async () => {
    const bad = await api('POST', '/api/v1/segments/' + 'preview', {
      filter: { and: [{ consent: { atLeast: 1 } }, { score: { modelId: models[0] } }] },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_filter');
    assert.ok(bad.body.error.details.some((d: { path: string }) => d.path === '/and/1/score'));
    const grade = await api('POST', '/api/v1/segments/preview', { filter: { score: { modelId: models[0], grade: ['A', 'E'] } } });
    assert.deepEqual(
      grade.body.error.details.map((d: { path: string }) => d.path),
      ['/score/grade/1'],
    );
    const gone = newId();
    const unknown = await api('POST', '/api/v1/segments', {
      name: 'x',
      kind: 'dynamic',
      filter: { or: [{ score: { modelId: models[0], atLeast: 1 } }, { not: { score: { modelId: gone, salesReady: true } } }] },
    });
    assert.equal(unknown.status, 422, JSON.stringify(unknown.body));
    assert.equal(unknown.body.error.code, 'filter_reference_unknown');
    assert.deepEqual(
      unknown.body.error.details.map((d: { path: string }) => d.path),
      ['/or/1/not/score/modelId'],
    );
    const ok = await api('POST', '/api/v1/segments/preview', { filter: { score: { modelId: models[0], salesReady: false } } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    // Hostile shapes: never a crash, always a pointer.
    for (const v of [null, [], 'A', { modelId: models[0], extra: 1 }, { modelId: 'x', atLeast: 1.5 }, { modelId: models[0], grade: [] }])
      assert.equal((await api('POST', '/api/v1/segments/preview', { filter: { score: v } })).status, 400, JSON.stringify(v));
  });

  it('a saved segment whose model was later deleted is unevaluable alone: other segments, lists and exports go on', async () => {
    await seed([
      { contact: 0, model: 1, score: 90, salesReady: true },
      { contact: 1, model: 0, score: 90, salesReady: true },
    ]);
    const doomed = await addModel('Doomed');
    await seed([{ contact: 0, model: 0, score: 90, salesReady: true }]);
    await ctx.db.kysely
      .insertInto('lead_scores')
      .values({
        ...rows[0]!,
        model_id: doomed,
        reason: 'allowed',
        model_version: 1,
        computed_at: clock.now().toISOString(),
        ready_at: null,
      })
      .execute();
    const broken = await t.services.segments.create({
      name: 'Doomed ' + 'A',
      kind: 'dynamic',
      filter: { score: { modelId: doomed, grade: ['A'] } },
    });
    const fine = await t.services.segments.create({
      name: 'Fit ' + 'A',
      kind: 'dynamic',
      filter: { score: { modelId: models[0], grade: ['A'] } },
    });
    assert.equal(await t.services.segments.count(broken.id), 1);
    await ctx.db.kysely.deleteFrom('scoring_models').where('id', '=', doomed).execute();
    const count = await api('GET', `/api/v1/segments/${broken.id}/count`);
    assert.equal(count.status, 409);
    assert.equal(count.body.error.code, 'segment_unevaluable');
    assert.equal((await api('GET', `/api/v1/segments/${fine.id}/count`)).body.data.count, 1);
    assert.equal((await api('GET', '/api/v1/segments')).status, 200);
    const m = await t.services.segments.membershipsOf(contacts[0]!);
    assert.ok(m.segments.some((s) => s.id === fine.id));
    assert.deepEqual(
      m.notEvaluated.map((s) => [s.id, s.reason]),
      [[broken.id, 'filter_invalid']],
    );
    const exp = await t.services.accessExports.build(contacts[0]!);
    assert.ok(exp.segments.some((s: { id: string }) => s.id === fine.id));
    await t.services.segments.delete(broken.id);
    await t.services.segments.delete(fine.id);
  });

  it('journeys: a condition tile accepts a `score` condition, refuses an unknown model, and branches by it', async () => {
    await seed([
      { contact: 2, model: 0, score: 95, salesReady: true },
      { contact: 3, model: 0, score: 10, salesReady: false },
    ]);
    for (const c of [2, 3]) await t.services.consent.setLevel(contacts[c]!, 4, CTX);
    const def = (modelId: string) => ({
      name: 'Hot leads',
      requiredConsent: 3,
      tiles: [
        { id: 'in', type: 'start', trigger: { manual: true }, next: 'hot' },
        { id: 'hot', type: 'condition', filter: { score: { modelId, grade: ['A'] } }, yes: 'y', no: 'n' },
        { id: 'y', type: 'end' },
        { id: 'n', type: 'end' },
      ],
    });
    const wrong = await api('POST', '/api/v1/journeys', def(newId()));
    assert.equal(wrong.status, 201);
    assert.ok(
      wrong.body.data.problems.some((p: { tileId: string }) => p.tileId === 'hot'),
      JSON.stringify(wrong.body.data.problems),
    );
    const made = await api('POST', '/api/v1/journeys', def(models[0]!));
    assert.deepEqual(made.body.data.problems, []);
    const id = made.body.data.id as string;
    assert.equal((await api('PATCH', `/api/v1/journeys/${id}`, { state: 'live' })).status, 200);
    const entered = await api('POST', `/api/v1/journeys/${id}/contacts`, { contactIds: [contacts[2], contacts[3]] });
    assert.equal(entered.body.data.entered, 2, JSON.stringify(entered.body));
    await runJobs(t.services, [RUN_QUEUE, ADMIT_QUEUE]);
    const outcome = async (c: string) =>
      (await api('GET', `/api/v1/journeys/` + `${id}/contacts/${c}`)).body.data.steps.find((s: { tileId: string }) => s.tileId === 'hot')
        ?.outcome;
    assert.equal(await outcome(contacts[2]!), 'yes');
    assert.equal(await outcome(contacts[3]!), 'no');
  });

  it('journeys: a live condition whose model is deleted holds for no one, and the journey lists the problem', async () => {
    const gone = await addModel('Gone soon');
    await seed([{ contact: 4, model: 0, score: 95, salesReady: true }]);
    await ctx.db.kysely
      .insertInto('lead_scores')
      .values({ ...rows[0]!, model_id: gone, reason: 'allowed', model_version: 1, computed_at: clock.now().toISOString(), ready_at: null })
      .execute();
    await t.services.consent.setLevel(contacts[4]!, 4, CTX);
    const made = await api('POST', '/api/v1/journeys', {
      name: 'Gone',
      requiredConsent: 3,
      tiles: [
        { id: 'in', type: 'start', trigger: { manual: true }, next: 'hot' },
        { id: 'hot', type: 'condition', filter: { score: { modelId: gone, atLeast: 1 } }, yes: 'y', no: 'n' },
        { id: 'y', type: 'end' },
        { id: 'n', type: 'end' },
      ],
    });
    const id = made.body.data.id as string;
    assert.equal((await api('PATCH', `/api/v1/journeys/${id}`, { state: 'live' })).status, 200);
    await ctx.db.kysely.deleteFrom('scoring_models').where('id', '=', gone).execute();
    assert.equal((await api('POST', `/api/v1/journeys/${id}/contacts`, { contactIds: [contacts[4]] })).body.data.entered, 1);
    await runJobs(t.services, [RUN_QUEUE, ADMIT_QUEUE]);
    const path = (await api('GET', `/api/v1/journeys/${id}/contacts/${contacts[4]}`)).body.data;
    assert.equal(path.steps.find((s: { tileId: string }) => s.tileId === 'hot')?.outcome, 'no');
    const j = (await api('GET', `/api/v1/journeys/${id}`)).body.data;
    assert.ok(
      j.problems.some((p: { tileId: string }) => p.tileId === 'hot'),
      JSON.stringify(j.problems),
    );
  });

  it('validateScore names each bad part by path, for hostile values', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        for (const p of validateScore(v, '/score')) assert.ok(p.path.startsWith('/score'));
      }),
    );
    assert.deepEqual(validateScore({ modelId: newId(), below: 3 }, '/x'), []);
  });
});
