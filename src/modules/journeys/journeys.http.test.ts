import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { Tile } from './journeys.graph.ts';
import type { Admission, JourneyLifecycle } from './journeys.lifecycle.ts';

type Role = 'admin' | 'marketer' | 'privacy_officer' | 'viewer';
const ROLES: Role[] = ['admin', 'marketer', 'privacy_officer', 'viewer'];
const UNKNOWN = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4eff';

/** Records what the service tells the engine, and what the journey's row looked like in the transaction it was told in. */
class RecordingLifecycle implements JourneyLifecycle {
  calls: { what: string; journeyId: string; stateInTrx?: string }[] = [];
  failNext = false;
  admitted: string[][] = [];
  private async note(what: string, trx: Parameters<JourneyLifecycle['started']>[0], journeyId: string) {
    const row = await trx.selectFrom('journeys').select('state').where('id', '=', journeyId).executeTakeFirst();
    this.calls.push({ what, journeyId, stateInTrx: row?.state });
    if (this.failNext) {
      this.failNext = false;
      throw new Error('engine down');
    }
  }
  started = (trx: Parameters<JourneyLifecycle['started']>[0], id: string) => this.note('started', trx, id);
  resumed = (trx: Parameters<JourneyLifecycle['started']>[0], id: string) => this.note('resumed', trx, id);
  stopped = (trx: Parameters<JourneyLifecycle['started']>[0], id: string) => this.note('stopped', trx, id);
  admit = async (journeyId: string, ids: readonly string[]): Promise<Admission> => {
    this.admitted.push([journeyId, ...ids]);
    return { entered: ids.length - 1, notEntered: { below_required_level: 1 } };
  };
}

forEachDialect('journeys API', (ctx) => {
  const clock = new FakeClock('2026-04-01T10:00:00.000Z');
  let t: TestApp;
  let life: RecordingLifecycle;
  let messageId: string;
  let segmentId: string;
  let listId: string;
  let formId: string;

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, role: Role = 'marketer') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const db = () => ctx.db.kysely;

  /** A journey using every tile type, without a problem. */
  const tiles = (): Tile[] => [
    { id: 'start', type: 'start', trigger: { manual: true }, next: 'mail' },
    { id: 'mail', type: 'email', title: 'Welcome ✉️', messageId, next: 'pause' },
    { id: 'pause', type: 'wait', duration: 'P3D', next: 'clicked' },
    { id: 'clicked', type: 'wait_event', event: 'form.submitted', timeout: 'PT12H', next: 'cond', timeoutNext: 'end' },
    { id: 'cond', type: 'condition', filter: { consent: { atLeast: 1 } }, yes: 'tag', no: 'fork' },
    { id: 'tag', type: 'list', action: 'join', listId, next: 'end' },
    {
      id: 'fork',
      type: 'split',
      branches: [
        { percent: 30, next: 'set' },
        { percent: 70, next: 'end' },
      ],
    },
    { id: 'set', type: 'update_contact', field: 'company', value: 'ACME', next: 'followup' },
    { id: 'followup', type: 'task', title: 'Call them', role: 'marketer', next: 'end' },
    { id: 'end', type: 'end' },
  ];
  const body = (extra: Record<string, unknown> = {}) => ({ name: 'Welcome', requiredConsent: 4, tiles: tiles(), ...extra });

  async function created(extra: Record<string, unknown> = {}): Promise<{ id: string; problems: unknown[]; state: string }> {
    const r = await api('POST', '/api/v1/journeys', body(extra));
    assert.equal(r.statusCode, 201, r.body);
    return json(r).data;
  }
  async function live(extra: Record<string, unknown> = {}): Promise<string> {
    const j = await created(extra);
    const r = await api('PATCH', `/api/v1/journeys/${j.id}`, { state: 'live' });
    assert.equal(r.statusCode, 200, r.body);
    return j.id;
  }
  const newContact = async () => (await t.services.contacts.create({ email: `c${newId().slice(-12)}@example.org` })).id;
  /** Contacts at a tile, as the engine would leave them (the engine is not this suite's subject). */
  async function place(journeyId: string, tileId: string, n: number, status = 'waiting'): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const contactId = await newContact();
      ids.push(contactId);
      await db()
        .insertInto('journey_positions')
        .values({
          journey_id: journeyId,
          contact_id: contactId,
          entry: 1,
          status,
          tile_id: tileId,
          visit: 3,
          due_at: status === 'waiting' || status === 'active' ? '2026-04-04T10:00:00.000Z' : null,
          wait_event: null,
          entered_at: '2026-04-01T10:00:00.000Z',
          updated_at: '2026-04-01T10:00:00.000Z',
          exit_reason: status === 'exited' ? 'below_required_level' : null,
          ended_at: status === 'waiting' || status === 'active' ? null : '2026-04-02T10:00:00.000Z',
        })
        .execute();
    }
    return ids;
  }

  before(async () => {
    t = await testApp(ctx.db, { clock });
    life = new RecordingLifecycle();
    (t.services.journeys as unknown as { lifecycle: JourneyLifecycle }).lifecycle = life;
    const m = await api(
      'POST',
      '/api/v1/messages',
      { name: 'Welcome', purpose: 'marketing', subject: 'Hi', html: '<p>Hi</p><a href="{{ unsubscribe_url }}">Leave</a>' },
      'admin',
    );
    assert.equal(m.statusCode, 201, m.body);
    messageId = json(m).data.id;
    segmentId = (await t.services.segments.create({ name: 'All', kind: 'dynamic', filter: { consent: { atLeast: 1 } } })).id;
    listId = (await t.services.lists.create({ name: 'Welcomed' })).id;
    formId = (
      await t.services.forms.create({ name: 'Sign-up', fields: [{ name: 'email', label: 'Email', maps: 'email', required: true }] })
    ).id;
  });
  after(async () => t.close());

  describe('create, read, list, change, delete', () => {
    it('stores a journey as a draft with its fields, and reads it back the same', async () => {
      const r = await api(
        'POST',
        '/api/v1/journeys',
        body({ goal: { segmentId }, reentry: { policy: 'again', after: 'P30D' }, holdoutPercent: 10, requiredConsent: 'marketing' }),
      );
      assert.equal(r.statusCode, 201, r.body);
      const j = json(r).data;
      assert.equal(j.state, 'draft');
      assert.equal(j.requiredConsent, 'marketing');
      assert.deepEqual(j.tiles, tiles());
      assert.deepEqual(j.goal, { segmentId });
      assert.deepEqual(j.reentry, { policy: 'again', after: 'P30D' });
      assert.equal(j.holdoutPercent, 10);
      assert.equal(j.version, 1);
      assert.deepEqual(j.problems, []);
      assert.deepEqual(j.counts, { inJourney: 0, done: 0, exited: 0, converted: 0 });
      assert.equal(j.liveAt, null);
      const got = json(await api('GET', `/api/v1/journeys/${j.id}`, undefined, 'viewer')).data;
      assert.deepEqual(got, j);
      const listed = json(await api('GET', '/api/v1/journeys?limit=500')).data as { id: string }[];
      assert.ok(listed.some((x) => x.id === j.id));
      const renamed = json(await api('PATCH', `/api/v1/journeys/${j.id}`, { name: 'Welcome — 春' })).data;
      assert.equal(renamed.name, 'Welcome — 春');
      assert.equal(renamed.version, 2);
      assert.equal((await api('DELETE', `/api/v1/journeys/${j.id}`)).statusCode, 204);
      assert.equal((await api('GET', `/api/v1/journeys/${j.id}`)).statusCode, 404);
      assert.equal((await api('DELETE', `/api/v1/journeys/${j.id}`)).statusCode, 404);
      assert.equal((await api('PATCH', `/api/v1/journeys/${UNKNOWN}`, { name: 'x' })).statusCode, 404);
    });

    it('pages the listing with counts from the counters and the positions', async () => {
      const id = await live();
      await place(id, 'pause', 2);
      await db()
        .insertInto('journey_counters')
        .values([
          { journey_id: id, tile_id: '', counter: 'done', n: 7 },
          { journey_id: id, tile_id: '', counter: 'converted', n: 2 },
          { journey_id: id, tile_id: '', counter: 'exited:below_required_level', n: 3 },
          { journey_id: id, tile_id: '', counter: 'exited:goal', n: 1 },
          { journey_id: id, tile_id: 'mail', counter: 'done', n: 50 },
        ])
        .execute();
      const seen: { id: string; counts: unknown }[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: { id: string; counts: unknown }[]; page: { next: string | null; total: number } } = json(
          await api('GET', `/api/v1/journeys?limit=2${cursor ? `&cursor=${cursor}` : ''}`),
        );
        assert.ok(page.data.length <= 2);
        seen.push(...page.data);
        cursor = page.page.next;
      } while (cursor);
      assert.equal(new Set(seen.map((s) => s.id)).size, seen.length, 'no row twice');
      // The contract's `after` (the last id seen) pages as the cursor does.
      const afterFirst = json(await api('GET', `/api/v1/journeys?limit=500&after=${seen[0]!.id}`)).data as { id: string }[];
      assert.deepEqual(
        afterFirst.map((x) => x.id),
        seen.slice(1).map((x) => x.id),
      );
      assert.equal((await api('GET', '/api/v1/journeys?after=not-an-id')).statusCode, 400);
      assert.deepEqual(seen.find((s) => s.id === id)!.counts, { inJourney: 2, done: 7, exited: 4, converted: 2 });
    });

    it('refuses a body that does not fit the schema with validation_failed, and stores nothing', async () => {
      const before = json(await api('GET', '/api/v1/journeys?limit=1')).page.total;
      const bad: unknown[] = [
        { ...body(), name: '' },
        { ...body(), requiredConsent: 6 },
        { ...body(), holdoutPercent: 51 },
        { ...body(), tiles: [{ id: 'a b', type: 'end' }] },
        { ...body(), tiles: [{ id: 'a', type: 'teleport' }] },
        { ...body(), tiles: [{ id: 'a', type: 'end', next: 'b' }] },
        { ...body(), tiles: [{ id: 'a', type: 'email', next: 'b' }] },
        { ...body(), tiles: Array.from({ length: 1001 }, (_, i) => ({ id: `e${i}`, type: 'end' })) },
        { ...body(), colour: 'red' },
        {
          ...body(),
          tiles: [{ id: 'c', type: 'condition', filter: JSON.parse(`${'{"not":'.repeat(100)}{}${'}'.repeat(100)}`), yes: 'c', no: 'c' }],
        },
      ];
      for (const b of bad) {
        const r = await api('POST', '/api/v1/journeys', b);
        assert.equal(r.statusCode, 400, `${JSON.stringify(b).slice(0, 100)}: ${r.body}`);
        assert.equal(json(r).error.code, 'validation_failed');
      }
      assert.equal(json(await api('GET', '/api/v1/journeys?limit=1')).page.total, before);
    });

    it('stores a hostile draft of 1,000 tiles with Unicode titles and duplicate ids, and names its problems', async () => {
      const many: Tile[] = [
        { id: 'start', type: 'start', trigger: { manual: true }, next: 'w0' },
        ...Array.from(
          { length: 998 },
          (_, i): Tile => ({
            id: i % 100 === 7 ? 'w7' : `w${i}`,
            type: 'wait',
            title: `⏳ 𝔴𝔞𝔦𝔱 ${i} \u202E`,
            duration: 'PT1M',
            next: i === 997 ? 'w0' : `w${i + 1}`,
          }),
        ),
        { id: 'end', type: 'end' },
      ];
      const t0 = performance.now();
      const r = await api('POST', '/api/v1/journeys', { name: '𝔥𝔬𝔰𝔱𝔦𝔩𝔢', requiredConsent: 4, tiles: many });
      assert.equal(r.statusCode, 201, r.body.slice(0, 300));
      const j = json(r).data;
      assert.equal(j.tiles.length, 1000);
      const codes = new Set((j.problems as { code: string }[]).map((p) => p.code));
      assert.ok(codes.has('duplicate_id') && codes.has('unreachable'), [...codes].join());
      const ids = new Set(many.map((x) => x.id));
      for (const p of j.problems as { tileId: string | null }[]) assert.ok(p.tileId === null || ids.has(p.tileId));
      assert.ok(performance.now() - t0 < 5000, `${Math.round(performance.now() - t0)} ms`);
    });
  });

  describe('validation: each rule names its tile, in problems and when going live', () => {
    const byId = (ts: Tile[], id: string) => ts.find((x) => x.id === id) as Tile & Record<string, unknown>;
    // [rule, how to break the good journey, the tile named (null: the journey)]
    const cases: [string, (b: { tiles: Tile[] } & Record<string, unknown>) => void | Promise<void>, string | null][] = [
      ['no_start', (b) => void (b.tiles = b.tiles.filter((x) => x.type !== 'start')), null],
      ['several_starts', (b) => void b.tiles.push({ id: 'again', type: 'start', trigger: { manual: true }, next: 'end' }), 'again'],
      ['duplicate_id', (b) => void b.tiles.push({ id: 'followup', type: 'end' }), 'followup'],
      ['unknown_next', (b) => void (byId(b.tiles, 'set').next = 'nowhere'), 'set'],
      // A draft with an output not yet connected is saved (the designer saves work in progress).
      ['missing_next', (b) => void delete byId(b.tiles, 'set').next, 'set'],
      ['unreachable', (b) => void b.tiles.push({ id: 'island', type: 'end' }), 'island'],
      ['cycle_without_wait', (b) => void (byId(b.tiles, 'followup').next = 'cond'), 'cond'],
      ['needs_more_consent', (b) => void (byId(b.tiles, 'cond').filter = { behaviour: { type: 'email_clicked' } }), 'cond'],
      ['unknown_message', (b) => void (byId(b.tiles, 'mail').messageId = UNKNOWN), 'mail'],
      ['unknown_segment', (b) => void (byId(b.tiles, 'start').trigger = { segmentId: UNKNOWN }), 'start'],
      ['unknown_form', (b) => void (byId(b.tiles, 'start').trigger = { formId: UNKNOWN }), 'start'],
      ['unknown_event', (b) => void (byId(b.tiles, 'start').trigger = { event: 'nothing.happened' }), 'start'],
      ['unknown_list', (b) => void (byId(b.tiles, 'tag').listId = UNKNOWN), 'tag'],
      ['unknown_field', (b) => void (byId(b.tiles, 'set').field = 'consentLevel'), 'set'],
      ['bad_duration', (b) => void (byId(b.tiles, 'pause').duration = 'P0D'), 'pause'],
      ['split_not_100', (b) => void ((byId(b.tiles, 'fork').branches as { percent: number }[])[1]!.percent = 71), 'fork'],
      [
        'end_missing',
        (b) => {
          byId(b.tiles, 'cond').no = 'set';
          byId(b.tiles, 'followup').next = 'x';
        },
        'set',
      ],
      ['bad_condition', (b) => void (byId(b.tiles, 'cond').filter = { field: 'shoe', op: '=', value: 1 }), 'cond'],
      ['unknown_purpose', (b) => void (b.requiredConsent = 'astrology'), null],
    ];
    for (const [code, breakIt, tileId] of cases) {
      it(
        `${code} names ${tileId === null ? 'the journey' : `tile “${tileId}”`}; ` + `going live is 400 journey_invalid with its path`,
        async () => {
          const b = body() as ReturnType<typeof body> & { tiles: Tile[] };
          await breakIt(b);
          const r = await api('POST', '/api/v1/journeys', b);
          assert.equal(r.statusCode, 201, r.body);
          const j = json(r).data;
          const named = (j.problems as { code: string; tileId: string | null }[]).filter((p) => p.code === code).map((p) => p.tileId);
          assert.deepEqual(named, [tileId], JSON.stringify(j.problems));
          const go = await api('PATCH', `/api/v1/journeys/${j.id}`, { state: 'live' });
          assert.equal(go.statusCode, 400, go.body);
          const err = json(go).error;
          assert.equal(err.code, 'journey_invalid');
          const d = (err.details as { path: string; tileId: string | null; code: string }[]).find((x) => x.code === code)!;
          assert.equal(d.tileId, tileId);
          const index = b.tiles.map((x) => x.id).lastIndexOf(tileId ?? '');
          assert.equal(d.path, tileId === null ? '/' : `/tiles/${index}`);
          assert.equal(json(await api('GET', `/api/v1/journeys/${j.id}`)).data.state, 'draft', 'still a draft');
        },
      );
    }

    it('message_wrong_purpose names the email tile whose message’s purpose the settings dropped', async () => {
      const purposes = (await t.services.settings.get()).purposes;
      await t.services.settings.patch({ purposes: { ...purposes, weekly: 3 } });
      const m = await api(
        'POST',
        '/api/v1/messages',
        { name: 'Weekly', purpose: 'weekly', subject: 'Hi', html: '<p>Hi</p><a href="{{ unsubscribe_url }}">Leave</a>' },
        'admin',
      );
      assert.equal(m.statusCode, 201, m.body);
      await t.services.settings.patch({ purposes });
      const b = body();
      (b.tiles[1] as { messageId: string }).messageId = json(m).data.id;
      const j = json(await api('POST', '/api/v1/journeys', b)).data;
      assert.deepEqual(
        (j.problems as { code: string; tileId: string }[]).map((p) => [p.code, p.tileId]),
        [['message_wrong_purpose', 'mail']],
      );
    });

    it('a segment trigger, a live form, a declared event and a goal are all fine; the problems show deletions made since', async () => {
      const b = body({ goal: { event: 'contact.updated' } });
      b.tiles[0] = { id: 'start', type: 'start', trigger: { segmentId, joinLater: true }, next: 'mail' };
      const j = json(await api('POST', '/api/v1/journeys', b)).data;
      assert.deepEqual(j.problems, []);
      b.tiles[0] = { id: 'start', type: 'start', trigger: { formId }, next: 'mail' };
      assert.deepEqual(json(await api('PATCH', `/api/v1/journeys/${j.id}`, { tiles: b.tiles })).data.problems, []);
      const gone = (await t.services.lists.create({ name: `Gone ${newId()}` })).id;
      (b.tiles[5] as { listId: string }).listId = gone;
      assert.deepEqual(json(await api('PATCH', `/api/v1/journeys/${j.id}`, { tiles: b.tiles })).data.problems, []);
      await db().deleteFrom('lists').where('id', '=', gone).execute();
      assert.deepEqual(
        (json(await api('GET', `/api/v1/journeys/${j.id}`)).data.problems as { code: string; tileId: string }[]).map((p) => [
          p.code,
          p.tileId,
        ]),
        [['unknown_list', 'tag']],
      );
    });
  });

  describe('states', () => {
    it('draft → live → paused → live → stopped, telling the engine inside the transaction that writes the state', async () => {
      const j = await created();
      life.calls = [];
      const steps: [string, string | null][] = [
        ['live', 'started'],
        ['paused', null],
        ['live', 'resumed'],
        ['paused', null],
        ['stopped', 'stopped'],
      ];
      for (const [state, told] of steps) {
        clock.advance(1000);
        const r = await api('PATCH', `/api/v1/journeys/${j.id}`, { state });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(json(r).data.state, state);
        if (told) assert.deepEqual(life.calls.pop(), { what: told, journeyId: j.id, stateInTrx: state }, 'sees its own write');
        assert.equal(life.calls.length, 0);
      }
      const done = json(await api('GET', `/api/v1/journeys/${j.id}`)).data;
      assert.equal(done.liveAt, '2026-04-01T10:00:01.000Z', 'when it first went live');
      assert.equal(done.stoppedAt, clock.now().toISOString());
    });

    it('refuses every other transition with 409 journey_state, and changes nothing', async () => {
      const refused: [string[], string][] = [
        [[], 'paused'],
        [[], 'stopped'],
        [['live', 'stopped'], 'live'],
        [['live', 'stopped'], 'paused'],
        [['live', 'paused', 'stopped'], 'live'],
      ];
      for (const [path, to] of refused) {
        const j = await created();
        for (const s of path) assert.equal((await api('PATCH', `/api/v1/journeys/${j.id}`, { state: s })).statusCode, 200);
        const before = json(await api('GET', `/api/v1/journeys/${j.id}`)).data;
        life.calls = [];
        const r = await api('PATCH', `/api/v1/journeys/${j.id}`, { state: to });
        assert.equal(r.statusCode, 409, `${path.join('→')} → ${to}: ${r.body}`);
        assert.equal(json(r).error.code, 'journey_state');
        assert.equal(json(r).error.details.state, before.state);
        assert.deepEqual(json(await api('GET', `/api/v1/journeys/${j.id}`)).data, before);
        assert.deepEqual(life.calls, []);
      }
      const stopped = await live();
      await api('PATCH', `/api/v1/journeys/${stopped}`, { state: 'stopped' });
      const edit = await api('PATCH', `/api/v1/journeys/${stopped}`, { name: 'Again' });
      assert.equal(json(edit).error.code, 'journey_state', 'a stopped journey does not change');
    });

    it('deletes only a draft or a stopped journey (with its positions and counters)', async () => {
      for (const path of [['live'], ['live', 'paused']]) {
        const j = await created();
        for (const s of path) await api('PATCH', `/api/v1/journeys/${j.id}`, { state: s });
        const r = await api('DELETE', `/api/v1/journeys/${j.id}`);
        assert.equal(r.statusCode, 409);
        assert.equal(json(r).error.code, 'journey_state');
      }
      const id = await live();
      await place(id, 'pause', 1);
      await db().insertInto('journey_counters').values({ journey_id: id, tile_id: '', counter: 'entered', n: 1 }).execute();
      await api('PATCH', `/api/v1/journeys/${id}`, { state: 'stopped' });
      assert.equal((await api('DELETE', `/api/v1/journeys/${id}`)).statusCode, 204);
      for (const table of ['journey_positions', 'journey_counters'] as const)
        assert.equal((await db().selectFrom(table).select('journey_id').where('journey_id', '=', id).execute()).length, 0, table);
    });

    it('a failing engine call rolls the state change back', async () => {
      const j = await created();
      life.failNext = true;
      const r = await api('PATCH', `/api/v1/journeys/${j.id}`, { state: 'live' });
      assert.equal(r.statusCode, 500);
      assert.equal(json(await api('GET', `/api/v1/journeys/${j.id}`)).data.state, 'draft');
    });

    it('pausing and stopping a journey that has problems is allowed; resuming it is not', async () => {
      const id = await live();
      const list = (await t.services.lists.create({ name: `Temp ${newId()}` })).id;
      const ts = tiles();
      (ts[5] as { listId: string }).listId = list;
      assert.equal((await api('PATCH', `/api/v1/journeys/${id}`, { tiles: ts })).statusCode, 200);
      await db().deleteFrom('lists').where('id', '=', list).execute();
      assert.equal((await api('PATCH', `/api/v1/journeys/${id}`, { state: 'paused' })).statusCode, 200);
      const resume = await api('PATCH', `/api/v1/journeys/${id}`, { state: 'live' });
      assert.equal(json(resume).error.code, 'journey_invalid');
      assert.equal((await api('PATCH', `/api/v1/journeys/${id}`, { state: 'stopped' })).statusCode, 200);
    });

    it('two state changes at once: one wins, the engine is told once', async () => {
      const j = await created();
      life.calls = [];
      const rs = await Promise.all([
        api('PATCH', `/api/v1/journeys/${j.id}`, { state: 'live' }),
        api('PATCH', `/api/v1/journeys/${j.id}`, { state: 'live' }),
      ]);
      assert.deepEqual(rs.map((r) => r.statusCode).sort(), [200, 200], 'the second finds it live already: nothing to do');
      assert.deepEqual(
        life.calls.map((c) => c.what),
        ['started'],
      );
      const was = json(await api('GET', `/api/v1/journeys/${j.id}`)).data;
      clock.advance(1000);
      const again = json(await api('PATCH', `/api/v1/journeys/${j.id}`, { state: 'live' })).data;
      assert.deepEqual(again, was, 'asking for the state it is in changes nothing');
      assert.equal(life.calls.length, 1);
    });
  });

  describe('changing a live journey', () => {
    it('refuses with 409 journey_in_use, listing the tiles holding contacts that a change removes or retypes', async () => {
      const id = await live();
      await place(id, 'pause', 3, 'waiting');
      await place(id, 'mail', 2, 'active');
      await place(id, 'tag', 4, 'done');
      await place(id, 'set', 1, 'exited');
      const without = tiles().filter((x) => x.id !== 'pause' && x.id !== 'tag');
      (without.find((x) => x.id === 'mail') as { next: string }).next = 'clicked';
      (without.find((x) => x.id === 'cond') as { yes: string }).yes = 'end';
      const r = await api('PATCH', `/api/v1/journeys/${id}`, { tiles: without });
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(json(r).error.code, 'journey_in_use');
      assert.deepEqual(json(r).error.details, [{ tileId: 'pause', contacts: 3 }], 'only tiles holding contacts in the journey');
      const retyped = tiles();
      retyped[1] = { id: 'mail', type: 'wait', duration: 'PT1H', next: 'pause' };
      const r2 = await api('PATCH', `/api/v1/journeys/${id}`, { tiles: retyped });
      assert.equal(r2.statusCode, 409);
      assert.deepEqual(json(r2).error.details, [{ tileId: 'mail', contacts: 2 }]);
      const paused = await api('PATCH', `/api/v1/journeys/${id}`, { state: 'paused' });
      assert.equal(paused.statusCode, 200);
      assert.equal(json(await api('PATCH', `/api/v1/journeys/${id}`, { tiles: without })).error.code, 'journey_in_use', 'paused too');
      assert.equal(json(await api('GET', `/api/v1/journeys/${id}`)).data.version, 1, 'nothing changed');
    });

    it('allows changes that keep every waiting contact’s tile: a wait’s duration, tiles elsewhere, the name', async () => {
      const id = await live();
      await place(id, 'pause', 2);
      const ts = tiles();
      (ts[2] as { duration: string }).duration = 'P5D';
      ts[7] = { id: 'set', type: 'update_contact', field: 'country', value: 'DE', next: 'followup' };
      const r = await api('PATCH', `/api/v1/journeys/${id}`, { tiles: ts, name: 'Welcome v2' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(json(r).data.version, 2);
      assert.equal(json(r).data.state, 'live');
      const due = await db().selectFrom('journey_positions').select('due_at').where('journey_id', '=', id).execute();
      assert.deepEqual(
        due.map((d) => d.due_at),
        ['2026-04-04T10:00:00.000Z', '2026-04-04T10:00:00.000Z'],
        'waiting contacts keep their due time',
      );
    });

    it('a live journey with problems is refused a change (400 journey_invalid); its requirement can be raised', async () => {
      const id = await live();
      await place(id, 'pause', 1);
      const ts = tiles();
      (ts[6] as { branches: { percent: number }[] }).branches[0]!.percent = 10;
      const bad = await api('PATCH', `/api/v1/journeys/${id}`, { tiles: ts });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(
        (json(bad).error.details as { path: string; tileId: string; code: string }[]).map((d) => [d.path, d.tileId, d.code]),
        [['/tiles/6', 'fork', 'split_not_100']],
      );
      for (const requiredConsent of [5, 'profiling']) {
        const r = await api('PATCH', `/api/v1/journeys/${id}`, { requiredConsent });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(json(r).data.requiredConsent, requiredConsent);
        assert.equal(json(r).data.state, 'live');
      }
    });
  });

  describe('manual entry', () => {
    it('hands the contacts to the engine for a live journey with a manual trigger', async () => {
      const id = await live();
      const a = await newContact();
      const b = await newContact();
      life.admitted = [];
      const r = await api('POST', `/api/v1/journeys/${id}/contacts`, { contactIds: [a, b, a] });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(json(r).data, { entered: 1, notEntered: { below_required_level: 1 } });
      assert.deepEqual(life.admitted, [[id, a, b]], 'each contact once');
    });

    it('refuses with 409 journey_state a journey not live or not manual, and a body out of bounds with 400', async () => {
      const c = await newContact();
      const draft = await created();
      assert.equal(json(await api('POST', `/api/v1/journeys/${draft.id}/contacts`, { contactIds: [c] })).error.code, 'journey_state');
      const b = body();
      b.tiles[0] = { id: 'start', type: 'start', trigger: { segmentId }, next: 'mail' };
      const seg = json(await api('POST', '/api/v1/journeys', b)).data.id;
      await api('PATCH', `/api/v1/journeys/${seg}`, { state: 'live' });
      const r = await api('POST', `/api/v1/journeys/${seg}/contacts`, { contactIds: [c] });
      assert.equal(r.statusCode, 409);
      assert.equal(json(r).error.code, 'journey_state');
      const paused = await live();
      await api('PATCH', `/api/v1/journeys/${paused}`, { state: 'paused' });
      assert.equal((await api('POST', `/api/v1/journeys/${paused}/contacts`, { contactIds: [c] })).statusCode, 409);
      assert.equal((await api('POST', `/api/v1/journeys/${paused}/contacts`, { contactIds: [] })).statusCode, 400);
      const tooMany = Array.from({ length: 1001 }, () => c);
      assert.equal((await api('POST', `/api/v1/journeys/${paused}/contacts`, { contactIds: tooMany })).statusCode, 400);
      assert.equal((await api('POST', `/api/v1/journeys/${UNKNOWN}/contacts`, { contactIds: [c] })).statusCode, 404);
    });
  });

  describe('what happened', () => {
    it('a contact’s path: its position and every step with the tile’s type; 404 if it never entered', async () => {
      const id = await live();
      const [c] = await place(id, 'pause', 1);
      await db()
        .insertInto('journey_steps')
        .values([
          {
            journey_id: id,
            contact_id: c!,
            entry: 1,
            visit: 2,
            tile_id: 'pause',
            outcome: 'waiting',
            reason: null,
            at: '2026-04-01T10:00:01.000Z',
          },
          {
            journey_id: id,
            contact_id: c!,
            entry: 1,
            visit: 1,
            tile_id: 'mail',
            outcome: 'done',
            reason: null,
            at: '2026-04-01T10:00:00.000Z',
          },
          {
            journey_id: id,
            contact_id: c!,
            entry: 1,
            visit: 0,
            tile_id: 'removed',
            outcome: 'done',
            reason: null,
            at: '2026-04-01T09:59:59.000Z',
          },
        ])
        .execute();
      const r = await api('GET', `/api/v1/journeys/${id}/contacts/${c}`, undefined, 'viewer');
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(json(r).data, {
        journeyId: id,
        contactId: c,
        entry: 1,
        status: 'waiting',
        tileId: 'pause',
        dueAt: '2026-04-04T10:00:00.000Z',
        exitReason: null,
        enteredAt: '2026-04-01T10:00:00.000Z',
        endedAt: null,
        steps: [
          { entry: 1, visit: 0, tileId: 'removed', tileType: null, outcome: 'done', reason: null, at: '2026-04-01T09:59:59.000Z' },
          { entry: 1, visit: 1, tileId: 'mail', tileType: 'email', outcome: 'done', reason: null, at: '2026-04-01T10:00:00.000Z' },
          { entry: 1, visit: 2, tileId: 'pause', tileType: 'wait', outcome: 'waiting', reason: null, at: '2026-04-01T10:00:01.000Z' },
        ],
      });
      const never = await newContact();
      assert.equal((await api('GET', `/api/v1/journeys/${id}/contacts/${never}`)).statusCode, 404);
      assert.equal((await api('GET', `/api/v1/journeys/${UNKNOWN}/contacts/${c}`)).statusCode, 404);
    });

    it('a contact’s journeys, the latest entered first', async () => {
      const a = await live({ name: 'First' });
      const b = await live({ name: 'Second' });
      const c = await newContact();
      const row = (journeyId: string, enteredAt: string, status: string, exitReason: string | null) => ({
        journey_id: journeyId,
        contact_id: c,
        entry: 2,
        status,
        tile_id: 'mail',
        visit: 1,
        due_at: null,
        wait_event: null,
        entered_at: enteredAt,
        updated_at: enteredAt,
        exit_reason: exitReason,
        ended_at: exitReason ? '2026-04-03T00:00:00.000Z' : null,
      });
      await db()
        .insertInto('journey_positions')
        .values([row(a, '2026-04-01T00:00:00.000Z', 'exited', 'child_never_profiled'), row(b, '2026-04-02T00:00:00.000Z', 'active', null)])
        .execute();
      const r = await api('GET', `/api/v1/contacts/${c}/journeys`, undefined, 'privacy_officer');
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(json(r).data, [
        {
          journeyId: b,
          name: 'Second',
          status: 'active',
          tileId: 'mail',
          entry: 2,
          exitReason: null,
          enteredAt: '2026-04-02T00:00:00.000Z',
          endedAt: null,
        },
        {
          journeyId: a,
          name: 'First',
          status: 'exited',
          tileId: 'mail',
          entry: 2,
          exitReason: 'child_never_profiled',
          enteredAt: '2026-04-01T00:00:00.000Z',
          endedAt: '2026-04-03T00:00:00.000Z',
        },
      ]);
      assert.deepEqual(json(await api('GET', `/api/v1/contacts/${await newContact()}/journeys`)).data, []);
    });

    it('stats: the counters for the journey and each tile, waiting and inJourney from the positions', async () => {
      const id = await live();
      await place(id, 'pause', 2, 'waiting');
      await place(id, 'mail', 1, 'active');
      await place(id, 'end', 5, 'done');
      const c = (tile: string, counter: string, n: number) => ({ journey_id: id, tile_id: tile, counter, n });
      await db()
        .insertInto('journey_counters')
        .values([
          c('', 'entered', 9),
          c('', 'holdout', 1),
          c('', 'converted', 1),
          c('', 'done', 5),
          c('', 'not_entered:below_required_level', 4),
          c('', 'not_entered:already_in', 2),
          c('', 'exited:child_never_profiled', 1),
          c('mail', 'entered', 9),
          c('mail', 'done', 8),
          c('cond', 'entered', 6),
          c('cond', 'done', 6),
          c('cond', 'yes', 4),
          c('cond', 'no', 2),
          c('fork', 'branch:0', 1),
          c('clicked', 'timeout', 3),
          c('clicked', 'exited:below_required_level', 1),
        ])
        .execute();
      const r = await api('GET', `/api/v1/journeys/${id}/stats`, undefined, 'viewer');
      assert.equal(r.statusCode, 200, r.body);
      const s = json(r).data;
      assert.deepEqual(
        { ...s, tiles: undefined },
        {
          entered: 9,
          holdout: 1,
          converted: 1,
          done: 5,
          notEntered: { below_required_level: 4, already_in: 2 },
          exited: { child_never_profiled: 1 },
          inJourney: 3,
          tiles: undefined,
        },
      );
      assert.deepEqual(
        Object.keys(s.tiles).sort(),
        tiles()
          .map((x) => x.id)
          .sort(),
        'every tile, even without counts',
      );
      assert.deepEqual(s.tiles.mail, { entered: 9, done: 8, waiting: 1, exited: {}, outcomes: {} });
      assert.deepEqual(s.tiles.pause, { entered: 0, done: 0, waiting: 2, exited: {}, outcomes: {} });
      assert.deepEqual(s.tiles.cond, { entered: 6, done: 6, waiting: 0, exited: {}, outcomes: { yes: 4, no: 2 } });
      assert.deepEqual(s.tiles.fork.outcomes, { 'branch:0': 1 });
      assert.deepEqual(s.tiles.clicked, { entered: 0, done: 0, waiting: 0, exited: { below_required_level: 1 }, outcomes: { timeout: 3 } });
      assert.equal(s.tiles.end.waiting, 0, 'ended contacts do not wait');
      assert.equal((await api('GET', `/api/v1/journeys/${UNKNOWN}/stats`)).statusCode, 404);
    });

    it('tasks: each role sees its own (the admin every one), filters by status, and marks them done or open', async () => {
      const id = await live({ name: 'Tasks' });
      const c = await newContact();
      const task = (role: string, status = 'open') => ({
        id: newId(),
        journey_id: id,
        tile_id: 'followup',
        contact_id: c,
        assignee_role: role,
        title: `Call 📞 ${role}`,
        status,
        created_at: '2026-04-01T10:00:00.000Z',
        done_at: status === 'done' ? '2026-04-01T11:00:00.000Z' : null,
      });
      const rows = [task('marketer'), task('marketer', 'done'), task('privacy_officer'), task('viewer'), task('admin')];
      await db().insertInto('journey_tasks').values(rows).execute();
      const ids = async (role: Role, q = '') => {
        const r = await t.app.inject({ method: 'GET', url: `/api/v1/journeys/tasks?limit=500${q}`, headers: t.auth(role) });
        assert.equal(r.statusCode, 200, r.body);
        return (json(r).data as { id: string; journeyId: string }[]).filter((x) => x.journeyId === id).map((x) => x.id);
      };
      assert.deepEqual(await ids('marketer'), [rows[0]!.id, rows[1]!.id]);
      assert.deepEqual(await ids('marketer', '&status=open'), [rows[0]!.id]);
      assert.deepEqual(await ids('privacy_officer'), [rows[2]!.id]);
      assert.deepEqual(await ids('viewer'), [rows[3]!.id]);
      assert.deepEqual(
        await ids('admin'),
        rows.map((r) => r.id),
      );
      assert.deepEqual(await ids('admin', `&after=${rows[2]!.id}`), [rows[3]!.id, rows[4]!.id]);
      const one = (json(await api('GET', '/api/v1/journeys/tasks?limit=500', undefined, 'admin')).data as { id: string }[]).find(
        (x) => x.id === rows[0]!.id,
      );
      assert.deepEqual(one, {
        id: rows[0]!.id,
        journeyId: id,
        journeyName: 'Tasks',
        tileId: 'followup',
        title: 'Call 📞 marketer',
        contactId: c,
        assigneeRole: 'marketer',
        assigneeUserId: null,
        leadId: null,
        status: 'open',
        createdAt: '2026-04-01T10:00:00.000Z',
        doneAt: null,
      });
      const done = await api('PATCH', `/api/v1/journeys/tasks/${rows[0]!.id}`, { status: 'done' });
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(json(done).data.status, 'done');
      assert.equal(json(done).data.doneAt, clock.now().toISOString());
      const reopened = json(await api('PATCH', `/api/v1/journeys/tasks/${rows[0]!.id}`, { status: 'open' })).data;
      assert.deepEqual([reopened.status, reopened.doneAt], ['open', null]);
      assert.equal((await api('PATCH', `/api/v1/journeys/tasks/${rows[2]!.id}`, { status: 'done' })).statusCode, 404, 'another role’s');
      assert.equal((await api('PATCH', `/api/v1/journeys/tasks/${rows[2]!.id}`, { status: 'done' }, 'admin')).statusCode, 200);
      assert.equal((await api('PATCH', `/api/v1/journeys/tasks/${UNKNOWN}`, { status: 'done' }, 'admin')).statusCode, 404);
    });
  });

  describe('roles', () => {
    it('admin and marketer write; privacy_officer and viewer read, and are refused every write with 403 but their own tasks', async () => {
      const id = await live();
      const draft = await created();
      const c = await newContact();
      const taskId = newId();
      await db()
        .insertInto('journey_tasks')
        .values({
          id: taskId,
          journey_id: id,
          tile_id: 'followup',
          contact_id: c,
          assignee_role: 'viewer',
          title: 'Look',
          status: 'open',
          created_at: '2026-04-01T10:00:00.000Z',
          done_at: null,
        })
        .execute();
      const writes: [string, string, unknown][] = [
        ['POST', '/api/v1/journeys', body()],
        ['PATCH', `/api/v1/journeys/${draft.id}`, { name: 'Mine' }],
        ['PATCH', `/api/v1/journeys/${id}`, { state: 'paused' }],
        ['DELETE', `/api/v1/journeys/${draft.id}`, undefined],
        ['POST', `/api/v1/journeys/${id}/contacts`, { contactIds: [c] }],
      ];
      for (const role of ['privacy_officer', 'viewer'] as const)
        for (const [method, url, payload] of writes) {
          const r = await api(method as 'POST', url, payload, role);
          assert.equal(r.statusCode, 403, `${role} ${method} ${url}`);
          assert.equal(json(r).error.code, 'forbidden');
        }
      // A task is its role's work, whatever the role: the viewer closes the viewer's, the privacy officer cannot see it.
      assert.equal((await api('PATCH', `/api/v1/journeys/tasks/${taskId}`, { status: 'done' }, 'privacy_officer')).statusCode, 404);
      assert.equal((await api('PATCH', `/api/v1/journeys/tasks/${taskId}`, { status: 'done' }, 'viewer')).statusCode, 200);
      const reads = [
        '/api/v1/journeys',
        `/api/v1/journeys/${id}`,
        `/api/v1/journeys/${id}/stats`,
        '/api/v1/journeys/tasks',
        `/api/v1/contacts/${c}/journeys`,
      ];
      for (const role of ROLES)
        for (const url of reads) assert.equal((await api('GET', url, undefined, role)).statusCode, 200, `${role} ${url}`);
      for (const role of ['admin', 'marketer'] as const) {
        assert.equal((await api('POST', '/api/v1/journeys', body(), role)).statusCode, 201, role);
        const own = await created();
        assert.equal((await api('PATCH', `/api/v1/journeys/${own.id}`, { state: 'live' }, role)).statusCode, 200, role);
        assert.equal((await api('PATCH', `/api/v1/journeys/${own.id}`, { state: 'stopped' }, role)).statusCode, 200, role);
        assert.equal((await api('DELETE', `/api/v1/journeys/${own.id}`, undefined, role)).statusCode, 204, role);
      }
      assert.equal(json(await api('GET', `/api/v1/journeys/${id}`)).data.state, 'live', 'the refused pause changed nothing');
    });
  });
});
