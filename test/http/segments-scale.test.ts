import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { FakeClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { assent } from '../helpers/cli.ts';
import { forEachDialect } from '../helpers/db.ts';

const system = { type: 'system' as const, id: null };

/** n distinct short lowercase strings, base 36, from `from` on (three characters each below 46,656). */
const short = (from: number, n: number) => Array.from({ length: n }, (_, i) => (from + i).toString(36).padStart(3, '0'));

/**
 * The black-box probe's filter: 33 `in` lists of 1,000 values each (the documented per-list
 * limit), within the node limit, under the body limit: 16 lists of numbers on the consent
 * level and 17 of short texts on the country. Compiled one variable per value it needed
 * 33,000 variables, more than SQLite binds.
 */
function probeFilter(): unknown {
  const numbers = Array.from({ length: 16 }, (_, k) => ({
    field: 'consentLevel',
    op: 'in',
    value: Array.from({ length: 1000 }, (_, i) => 5 + k * 1000 + i),
  }));
  const texts = Array.from({ length: 17 }, (_, k) => ({ field: 'country', op: 'in', value: short(2000 + k * 1000, 1000) }));
  // Members: a level of 5 (the first number list) or the country PT (the last text list).
  numbers[0]!.value[999] = 5;
  texts[16]!.value[999] = 'PT';
  numbers[0]!.value[0] = 5.5;
  return { or: [...numbers, ...texts] };
}

forEachDialect('segments at the documented limits', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let t: TestApp;
  const ids: Record<string, string> = {};
  let probe: { id: string };
  let probe2: { id: string };
  before(async () => {
    t = await testApp(ctx.db, { clock });
    // Saved as a dynamic segment, the probe's filter is not evaluated until used; two of them
    // together, as memberships evaluate them in one query, bound 66,000 variables: more than
    // PostgreSQL takes too.
    probe = await t.services.segments.create({ name: 'probe', kind: 'dynamic', filter: probeFilter() });
    probe2 = await t.services.segments.create({ name: 'probe again', kind: 'dynamic', filter: probeFilter() });
    const mk = async (email: string, country: string | undefined, level: number) => {
      const c = await t.services.contacts.create({ email, ...(country ? { country } : {}) });
      if (level) await t.services.consent.setLevel(c.id, level, { source: 'api', actor: system });
      ids[email] = c.id;
    };
    await mk('ana@example.pt', 'PT', 0);
    await mk('ben@example.de', 'DE', 5);
    await mk('cy@example.de', 'DE', 2);
  });
  after(async () => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    role: 'marketer' | 'privacy_officer' = 'marketer',
  ) => t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const members = ['ana@example.pt', 'ben@example.de'];

  it("the probe's filter (33 lists of 1,000 values) previews, saves, counts, lists its members and explains", async () => {
    const filter = probeFilter();
    assert.ok(JSON.stringify({ filter }).length < 256 * 1024, 'the probe fits the body limit');
    const preview = await call('POST', '/api/v1/segments/preview', { filter });
    assert.equal(preview.statusCode, 200, preview.body.slice(0, 300));
    assert.deepEqual(json(preview).data, { count: 2 });

    const saved = await call('POST', '/api/v1/segments', { name: 'probe, saved through the API', kind: 'dynamic', filter });
    assert.equal(saved.statusCode, 201, saved.body.slice(0, 300));
    assert.deepEqual(json(saved).data.filter, filter);
    const count = await call('GET', `/api/v1/segments/${probe.id}/count`);
    assert.equal(count.statusCode, 200, count.body.slice(0, 300));
    assert.deepEqual(json(count).data, { count: 2 });
    const page = await call('GET', `/api/v1/segments/${probe.id}/members`);
    assert.equal(page.statusCode, 200, page.body.slice(0, 300));
    assert.deepEqual(
      json(page)
        .data.map((c: { email: string }) => c.email)
        .sort(),
      members,
    );
    for (const [email, member] of [
      ['ana@example.pt', true],
      ['cy@example.de', false],
    ] as const) {
      const e = await call('GET', `/api/v1/segments/${probe.id}/explain?contact=${ids[email]}`);
      assert.equal(e.statusCode, 200, e.body.slice(0, 300));
      assert.equal(json(e).data.member, member);
      assert.equal(json(e).data.conditions.length, 33);
    }
    const frozen = await call('POST', '/api/v1/segments', { name: 'probe (static)', kind: 'static', filter });
    assert.equal(frozen.statusCode, 201, frozen.body.slice(0, 300));
    assert.deepEqual(json(await call('GET', `/api/v1/segments/${json(frozen).data.id}/count`)).data, { count: 2 });
  });

  it('the access export, `assent dsr export` and access-request fulfilment name the segment', async () => {
    const res = await call('GET', `/api/v1/contacts/${ids['ana@example.pt']}/export`, undefined, 'privacy_officer');
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    const named = json(res).segments.map((s: { id: string }) => s.id);
    assert.ok(named.includes(probe.id) && named.includes(probe2.id), JSON.stringify(json(res).segments));
    assert.deepEqual(json(res).segmentsNotEvaluated, []);

    const dir = mkdtempSync(join(tmpdir(), 'assent-probe-'));
    try {
      const out = join(dir, 'ben.json');
      const r = await assent(ctx.url, 'dsr', 'export', 'ben@example.de', '--out', out);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(readFileSync(out, 'utf8')).segments.some((s: { id: string }) => s.id === probe.id));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const opened = await call(
      'POST',
      '/api/v1/requests',
      { type: 'access', email: 'ana@example.pt', verified: true, note: 'checked' },
      'privacy_officer',
    );
    assert.equal(opened.statusCode, 201, opened.body);
    const done = await call('POST', `/api/v1/requests/${json(opened).data.id}/fulfil`, {}, 'privacy_officer');
    assert.equal(done.statusCode, 200, done.body.slice(0, 300));
    assert.equal(json(done).data.status, 'completed');
    const stored = await ctx.db.kysely
      .selectFrom('exports')
      .select('json')
      .where('request_id', '=', json(opened).data.id)
      .executeTakeFirstOrThrow();
    assert.ok(JSON.parse(stored.json).segments.some((s: { id: string }) => s.id === probe.id));
  });

  it('an export over a hundred segments of 229 nodes each: the membership queries stay under both variable limits', async () => {
    // Three variables per condition (type, window start, the contact): 100 such segments in one
    // query would bind 67,600, more than either database takes.
    const filter = {
      or: [0, 1, 2].map((k) => ({
        or: Array.from({ length: 75 }, (_, i) => ({ behaviour: { type: 'page_visited', withinDays: 1 + k * 75 + i } })),
      })),
    };
    const wide: string[] = [];
    for (let i = 0; i < 100; i++) wide.push((await t.services.segments.create({ name: `wide ${i}`, kind: 'dynamic', filter })).id);
    const cy = ids['cy@example.de']!;
    await ctx.db.kysely
      .insertInto('interactions')
      .values({
        id: newId(),
        contact_id: cy,
        type: 'page_visited',
        name: null,
        ref: null,
        message_id: null,
        journey_id: null,
        page_id: null,
        url: null,
        properties: null,
        at: '2026-03-10T11:00:00.000Z',
      })
      .execute();
    for (const [email, member] of [
      ['cy@example.de', true],
      ['ben@example.de', false],
    ] as const) {
      const res = await call('GET', `/api/v1/contacts/${ids[email]}/export`, undefined, 'privacy_officer');
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      const named = new Set(json(res).segments.map((x: { id: string }) => x.id));
      assert.equal(wide.filter((id) => named.has(id)).length, member ? 100 : 0, email);
      assert.deepEqual(json(res).segmentsNotEvaluated, []);
    }
    for (const id of wide) await t.services.segments.delete(id);
  });

  it('a filter over the total bound is refused at validation, naming the limit and the list that crosses it', async () => {
    // 51 lists of 1,000 small numbers: each list is within its own limit, the whole is not.
    const filter = {
      or: Array.from({ length: 51 }, (_, k) => ({
        field: 'consentLevel',
        op: 'in',
        value: Array.from({ length: 1000 }, (_, i) => (k * 1000 + i) % 997),
      })),
    };
    assert.ok(JSON.stringify({ filter }).length < 256 * 1024, 'refused by the validator, not by the body limit');
    for (const [method, url, body] of [
      ['POST', '/api/v1/segments/preview', { filter }],
      ['POST', '/api/v1/segments', { name: 'too big', kind: 'dynamic', filter }],
      ['PATCH', `/api/v1/segments/${probe.id}`, { filter }],
    ] as const) {
      const res = await call(method, url, body);
      assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body.slice(0, 300)}`);
      const err = json(res).error;
      assert.equal(err.code, 'invalid_filter');
      assert.deepEqual(
        err.details.map((d: { path: string }) => d.path),
        ['/or/50/value'],
      );
      assert.match(err.details[0].message, /50000/);
    }
    assert.equal(json(await call('GET', `/api/v1/segments/${probe.id}`)).data.filter.or.length, 33, 'the saved filter is unchanged');
  });

  it(
    'a segment the database cannot evaluate answers 4xx on its own ' + 'routes and is reported in the export, which still succeeds',
    async () => {
      await t.services.customFields.define({ name: 'tier', type: 'text', personal: false });
      const broken = json(
        await call('POST', '/api/v1/segments', {
          name: 'gold tier',
          kind: 'dynamic',
          filter: { field: 'customFields.tier', op: '=', value: 'gold' },
        }),
      ).data;
      // Behind the app's back: the column goes, its declaration stays.
      await sql`alter table contacts drop column cf_tier`.execute(ctx.db.kysely);

      for (const url of [
        `/api/v1/segments/${broken.id}/count`,
        `/api/v1/segments/${broken.id}/members`,
        `/api/v1/segments/${broken.id}/explain?contact=${ids['ana@example.pt']}`,
      ]) {
        const res = await call('GET', url);
        assert.equal(res.statusCode, 409, `${url}: ${res.body.slice(0, 300)}`);
        assert.equal(json(res).error.code, 'segment_unevaluable');
      }
      const preview = await call('POST', '/api/v1/segments/preview', { filter: { field: 'customFields.tier', op: 'in', value: ['gold'] } });
      assert.equal(preview.statusCode, 409, preview.body.slice(0, 300));
      assert.equal(json(preview).error.code, 'segment_unevaluable');

      const res = await call('GET', `/api/v1/contacts/${ids['ana@example.pt']}/export`, undefined, 'privacy_officer');
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      const doc = json(res);
      assert.ok(
        doc.segments.some((s: { id: string }) => s.id === probe.id),
        'the other segments are still evaluated',
      );
      assert.ok(!doc.segments.some((s: { id: string }) => s.id === broken.id));
      assert.deepEqual(doc.segmentsNotEvaluated, [{ id: broken.id, name: 'gold tier', kind: 'dynamic', reason: 'query_failed' }]);
      assert.equal(doc.tables.contacts.rows[0].email, 'ana@example.pt');
      assert.ok(!('cf_tier' in doc.tables.contacts.rows[0]), 'a column that no longer exists holds nothing');

      const dir = mkdtempSync(join(tmpdir(), 'assent-broken-'));
      try {
        const out = join(dir, 'ana.json');
        const r = await assent(ctx.url, 'dsr', 'export', 'ana@example.pt', '--out', out);
        assert.equal(r.code, 0, r.stderr);
        const file = JSON.parse(readFileSync(out, 'utf8'));
        assert.deepEqual(
          file.segmentsNotEvaluated.map((s: { id: string }) => s.id),
          [broken.id],
        );
        const html = join(dir, 'ana.html');
        assert.equal((await assent(ctx.url, 'dsr', 'export', 'ana@example.pt', '--out', html, '--format', 'html')).code, 0);
        assert.match(readFileSync(html, 'utf8'), /gold tier[\s\S]*could not be evaluated/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      const opened = json(
        await call(
          'POST',
          '/api/v1/requests',
          { type: 'access', email: 'ana@example.pt', verified: true, note: 'checked' },
          'privacy_officer',
        ),
      ).data;
      const done = await call('POST', `/api/v1/requests/${opened.id}/fulfil`, {}, 'privacy_officer');
      assert.equal(done.statusCode, 200, done.body.slice(0, 300));
      assert.equal(json(done).data.status, 'completed');
      assert.match(json(done).data.history.at(-1).note, /1 segment could not be evaluated/);

      // A saved filter that no longer validates (its field's declaration gone too) is reported alike.
      await sql`delete from custom_fields where name = 'tier'`.execute(ctx.db.kysely);
      assert.equal(json(await call('GET', `/api/v1/segments/${broken.id}/count`)).error.code, 'segment_unevaluable');
      const again = json(await call('GET', `/api/v1/contacts/${ids['ana@example.pt']}/export`, undefined, 'privacy_officer'));
      assert.deepEqual(again.segmentsNotEvaluated, [{ id: broken.id, name: 'gold tier', kind: 'dynamic', reason: 'filter_invalid' }]);
    },
  );
});
