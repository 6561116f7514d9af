import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { sql } from 'kysely';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { RECOMPUTE_QUEUE } from './scoring.service.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;
const NOW = '2026-06-15T12:00:00.000Z';
const DAY = 86_400_000;
const ROLES = ['admin', 'marketer', 'privacy_officer', 'viewer'] as const;

forEachDialect('lead scoring (API, consent, recompute)', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock(NOW);
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  let n = 0;
  const tag = () => `s${n++}x${Math.random().toString(36).slice(2, 8)}`;
  const k = () => ctx.db.kysely;
  const api = async (method: string, url: string, body?: unknown, role: (typeof ROLES)[number] = 'admin') => {
    const r = await t.app.inject({
      method: method as 'GET',
      url,
      headers: t.auth(role),
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: r.statusCode, body: r.body ? (JSON.parse(r.body) as any) : null };
  };

  async function person(level: number, child = false): Promise<{ contactId: string; leadId: string }> {
    const guardian = child ? (await t.services.contacts.create({ email: `${tag()}@example.com` })).id : null;
    const c = await t.services.contacts.create({
      email: `${tag()}@example.com`,
      company: 'Acme',
      ...(child ? { isChild: true, guardianId: guardian } : {}),
    });
    if (level > 0) await t.services.consent.setLevel(c.id, level, CTX);
    if (child) await t.services.consent.setGuardianConsent(c.id, true, CTX);
    const leadId = newId();
    await k()
      .insertInto('leads')
      .values({
        id: leadId,
        contact_id: c.id,
        title: 'Deal',
        status: 'open',
        owner_id: null,
        value: 1000,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    return { contactId: c.id, leadId };
  }

  async function visits(contactId: string, daysAgo: number[]) {
    for (const d of daysAgo)
      await k()
        .insertInto('interactions')
        .values({
          id: newId(),
          contact_id: contactId,
          type: 'page_visited',
          name: null,
          ref: null,
          message_id: null,
          journey_id: null,
          page_id: null,
          url: null,
          properties: null,
          at: new Date(Date.parse(NOW) - d * DAY).toISOString(),
        })
        .execute();
  }

  const MODEL = (requiredConsent?: number | string) => ({
    name: `Model ${tag()}`,
    ...(requiredConsent !== undefined ? { requiredConsent } : {}),
    rules: [
      { name: 'Acme', condition: { field: 'company', op: '=', value: 'Acme' }, points: 10 },
      { name: 'Big deal', condition: { field: 'lead.value', op: '>=', value: 500 }, points: 5 },
      { name: 'Visits', behaviour: { type: 'page_visited', atLeast: 2, withinDays: 30 }, points: 20, decayDays: 10 },
    ],
    grades: { A: 30, B: 20, C: 10, D: 1 },
    salesReady: 25,
  });

  const scoreOf = async (modelId: string, leadId: string) =>
    k().selectFrom('lead_scores').selectAll().where('model_id', '=', modelId).where('lead_id', '=', leadId).executeTakeFirst();

  it('scores only what the gate allows: level 4 not under profiling, children never (even at level 3)', async () => {
    const adult5 = await person(5);
    const adult4 = await person(4);
    const child = await person(4, true);
    await visits(adult5.contactId, [1, 2]);
    const profiling = (await api('POST', '/api/v1/scoring-models', MODEL())).body.data;
    assert.equal(profiling.requiredConsent, 'profiling');
    // A level only raises the profiling purpose's (a model may require more, never less): level 3 asks for 5 here.
    const level3 = (await api('POST', '/api/v1/scoring-models', MODEL(3))).body.data;
    const marketing = (await api('POST', '/api/v1/scoring-models', MODEL('marketing'))).body.data;
    assert.equal(profiling.recompute.state, 'queued');
    await runJobs(t.services, [RECOMPUTE_QUEUE, 'events.dispatch']);
    const a5 = await scoreOf(profiling.id, adult5.leadId);
    // 10 + 5 + visits 1 day ago: trunc(20 * (10 - 1) / 10) = 18.
    assert.deepEqual([a5?.score, a5?.grade, a5?.sales_ready, a5?.reason], [33, 'A', 1, 'allowed']);
    const a4 = await scoreOf(profiling.id, adult4.leadId);
    assert.deepEqual([a4?.score, a4?.grade, a4?.sales_ready, a4?.reason], [null, null, 0, 'below_required_level']);
    assert.equal((await scoreOf(level3.id, adult4.leadId))?.reason, 'below_required_level');
    assert.equal((await scoreOf(marketing.id, adult4.leadId))?.score, 15);
    for (const m of [profiling, level3, marketing]) {
      const c = await scoreOf(m.id, child.leadId);
      assert.deepEqual([c?.score, c?.reason], [null, 'child_never_profiled']);
    }
    const explained = (await api('GET', `/api/v1/leads/${child.leadId}/scores`)).body.data;
    assert.deepEqual(
      explained.map((e: any) => [e.score, e.reason, e.rules.length]),
      [
        [null, 'child_never_profiled', 0],
        [null, 'child_never_profiled', 0],
        [null, 'child_never_profiled', 0],
      ],
    );
    const done = (await api('GET', `/api/v1/scoring-models/${profiling.id}/recompute`)).body.recompute;
    assert.equal(done.state, 'done');
    assert.equal(done.done, done.total);
  });

  it('the explanation’s points sum to the score, and its rules name windows, counts and decay', async () => {
    const p = await person(5);
    await visits(p.contactId, [3, 5, 40]);
    const m = (await api('POST', '/api/v1/scoring-models', MODEL())).body.data;
    const entries = (await api('GET', `/api/v1/leads/${p.leadId}/scores`)).body.data;
    const e = entries.find((x: any) => x.modelId === m.id);
    assert.ok(e);
    assert.equal(
      e.rules.reduce((s: number, r: any) => s + r.points, 0),
      e.score,
    );
    const v = e.rules.find((r: any) => r.name === 'Visits');
    // Two visits within 30 days (the one 40 days ago is outside), the latest 3 days ago: trunc(20 * 7 / 10) = 14.
    assert.deepEqual([v.counted, v.points, v.window, v.decayDays, v.atLeast], [2, 14, { withinDays: 30 }, 10, 2]);
    assert.equal(e.score, 29);
    assert.equal(e.grade, 'B');
    // The stored row was refreshed with the explanation.
    assert.equal((await scoreOf(m.id, p.leadId))?.score, 29);
  });

  it('lowering consent clears the score with the gate’s reason (events consumer)', async () => {
    const p = await person(5);
    const m = (await api('POST', '/api/v1/scoring-models', MODEL())).body.data;
    await runJobs(t.services, [RECOMPUTE_QUEUE, 'events.dispatch']);
    assert.equal((await scoreOf(m.id, p.leadId))?.score, 15);
    await t.services.consent.setLevel(p.contactId, 3, CTX);
    await runJobs(t.services, ['events.dispatch']);
    const row = await scoreOf(m.id, p.leadId);
    assert.deepEqual([row?.score, row?.grade, row?.sales_ready, row?.reason], [null, null, 0, 'below_required_level']);
  });

  it('raising a model’s requirement clears every score below it in the PATCH', async () => {
    const four = await person(4);
    const five = await person(5);
    const m = (await api('POST', '/api/v1/scoring-models', MODEL('marketing'))).body.data;
    await runJobs(t.services, [RECOMPUTE_QUEUE, 'events.dispatch']);
    assert.equal((await scoreOf(m.id, four.leadId))?.score, 15);
    const patched = await api('PATCH', `/api/v1/scoring-models/${m.id}`, { requiredConsent: 'profiling' });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.data.version, 2);
    // Before any recompute ran: cleared already, with the reason.
    const row = await scoreOf(m.id, four.leadId);
    assert.deepEqual([row?.score, row?.reason], [null, 'below_required_level']);
    assert.equal((await scoreOf(m.id, five.leadId))?.score, 15);
    const everyScored = await k()
      .selectFrom('lead_scores as ls')
      .innerJoin('contacts as c', 'c.id', 'ls.contact_id')
      .select(['c.consent_level', 'ls.score'])
      .where('ls.model_id', '=', m.id)
      .where('ls.score', 'is not', null)
      .execute();
    assert.ok(everyScored.every((r) => r.consent_level >= 5));
  });

  it('sales-ready is published once per lead and model', async () => {
    const p = await person(5);
    await visits(p.contactId, [0, 0]);
    const m = (await api('POST', '/api/v1/scoring-models', MODEL())).body.data;
    await runJobs(t.services, [RECOMPUTE_QUEUE]);
    await t.services.scoring.recompute(m.id);
    await t.services.scoring.scoreLeads([p.leadId]);
    await t.services.scoring.explain(p.leadId);
    const evs = await k().selectFrom('events').select(['data']).where('type', '=', 'lead.sales_ready').execute();
    const mine = evs.map((e) => JSON.parse(e.data)).filter((d) => d.leadId === p.leadId && d.modelId === m.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].contactId, p.contactId);
  });

  it('refuses bad models naming the path, and an unknown purpose', async () => {
    const bad = await api('POST', '/api/v1/scoring-models', {
      ...MODEL(),
      rules: [
        { name: 'ok', condition: { field: 'company', op: '=', value: 'x' }, points: 1 },
        { name: 'zero', condition: { field: 'company', op: '=', value: 'x' }, points: 0 },
        { name: 'deep', condition: { and: [{ field: 'lead.nope', op: '=', value: 1 }] }, points: 3 },
        { name: 'both', condition: { field: 'company', op: '=', value: 'x' }, behaviour: { type: 'page_visited' }, points: 3 },
        { name: 'decay', condition: { field: 'company', op: '=', value: 'x' }, points: 3, decayDays: 5 },
      ],
      grades: { A: 10, B: 10, C: 5, D: 1 },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_failed');
    const paths = bad.body.error.details.map((d: any) => d.path);
    for (const p of ['/rules/1/points', '/rules/2/condition/and/0/field', '/rules/3', '/rules/4/decayDays', '/grades/A'])
      assert.ok(paths.includes(p), `${p} in ${paths}`);
    const purpose = await api('POST', '/api/v1/scoring-models', MODEL('no_such_purpose'));
    assert.equal(purpose.body.error.code, 'unknown_purpose');
    const missing = await api('GET', `/api/v1/scoring-models/${newId()}`);
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'scoring_model_not_found']);
  });

  it('a model whose lead field was removed is skipped by the incremental path and explained as unevaluable', async () => {
    const name = `f${tag()}`.replace(/[^a-z0-9]/g, '');
    await sql`alter table leads add column ${sql.ref(`cf_${name}`)} text`.execute(k());
    const fieldId = newId();
    await k()
      .insertInto('lead_fields')
      .values({ id: fieldId, name, label: name, type: 'text', personal: 0, column_name: `cf_${name}`, created_at: NOW })
      .execute();
    const broken = (
      await api('POST', '/api/v1/scoring-models', {
        ...MODEL('marketing'),
        rules: [{ name: 'Tier', condition: { field: `lead.${name}`, op: '=', value: 'gold' }, points: 7 }],
      })
    ).body.data;
    assert.ok(broken.id);
    await k().deleteFrom('lead_fields').where('id', '=', fieldId).execute();
    const p = await person(5);
    await t.services.scoring.scoreLeads([p.leadId]);
    const e = (await t.services.scoring.explain(p.leadId)).find((x) => x.modelId === broken.id);
    assert.deepEqual([e?.score, e?.reason], [null, 'model_unevaluable']);
    await api('DELETE', `/api/v1/scoring-models/${broken.id}`);
  });

  it('every role reads; admin and marketer write', async () => {
    const m = (await api('POST', '/api/v1/scoring-models', MODEL())).body.data;
    for (const role of ROLES) {
      const read = await api('GET', `/api/v1/scoring-models/${m.id}/distribution`, undefined, role);
      assert.equal(read.status, 200, role);
      const write = await api('PATCH', `/api/v1/scoring-models/${m.id}`, { name: `Renamed ${role}` }, role);
      assert.equal(write.status, role === 'admin' || role === 'marketer' ? 200 : 403, role);
    }
  });

  it('recompute job progress, distribution and ranking', async () => {
    for (let i = 0; i < 3; i++) await visits((await person(5)).contactId, [i]);
    const m = (await api('POST', '/api/v1/scoring-models', MODEL())).body.data;
    const queued = await api('POST', `/api/v1/scoring-models/${m.id}/recompute`);
    assert.equal(queued.status, 202);
    assert.equal(queued.body.recompute.state, 'queued');
    const seen: [number, number][] = [];
    const r = await t.services.scoring.recompute(m.id, { onProgress: (d, total) => seen.push([d, total]) });
    const leads = Number(
      (
        await k()
          .selectFrom('leads')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    assert.equal(r.total, leads);
    assert.equal(r.scored + r.notScored, leads);
    assert.deepEqual(seen[seen.length - 1], [leads, leads]);
    await runJobs(t.services, [RECOMPUTE_QUEUE]);
    const progress = (await api('GET', `/api/v1/scoring-models/${m.id}/recompute`)).body.recompute;
    assert.deepEqual([progress.state, progress.done], ['done', leads]);
    const dist = (await api('GET', `/api/v1/scoring-models/${m.id}/distribution`)).body;
    assert.equal(dist.scored, r.scored);
    assert.equal(
      Object.values(dist.notScored as Record<string, number>).reduce((a, b) => a + b, 0),
      r.notScored,
    );
    assert.equal(
      dist.histogram.reduce((a: number, b: any) => a + b.n, 0),
      r.scored,
    );
    const seenLeads: any[] = [];
    let after: string | null = null;
    do {
      const page: any = (await api('GET', `/api/v1/scoring-models/${m.id}/leads?limit=2${after ? `&after=${after}` : ''}`)).body;
      seenLeads.push(...page.data);
      after = page.next;
    } while (after);
    assert.equal(seenLeads.length, leads);
    assert.equal(new Set(seenLeads.map((x) => x.leadId)).size, leads);
    const scores = seenLeads.map((x) => x.score);
    const firstNull = scores.indexOf(null);
    const scored = firstNull === -1 ? scores : scores.slice(0, firstNull);
    assert.ok(scores.slice(scored.length).every((x) => x === null));
    assert.deepEqual(
      scored,
      [...scored].sort((a, b) => b - a),
    );

    // Filtered by the lead's status over the whole ranking, not a page of it: the one lead won is
    // found alone, on a page of one, wherever it ranks; the rest are open.
    const won = seenLeads[seenLeads.length - 1].leadId;
    assert.equal((await api('PATCH', `/api/v1/leads/${won}`, { status: 'won' })).status, 200);
    const wonPage = (await api('GET', `/api/v1/scoring-models/${m.id}/leads?limit=1&status=won`)).body;
    assert.deepEqual(
      wonPage.data.map((x: any) => [x.leadId, x.status]),
      [[won, 'won']],
    );
    assert.equal(wonPage.next, null);
    const open = (await api('GET', `/api/v1/scoring-models/${m.id}/leads?limit=500&status=open`)).body.data;
    assert.deepEqual(
      open.map((x: any) => x.leadId),
      seenLeads.filter((x) => x.leadId !== won && x.status === 'open').map((x) => x.leadId),
    );
    const bad = await api('GET', `/api/v1/scoring-models/${m.id}/leads?status=closed`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_failed');
  });
});
