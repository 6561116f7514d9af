import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { CLI_ACTOR } from '../audit/audit.model.ts';
import type { Goal, Tile } from './journeys.graph.ts';
import { ADMIT_QUEUE, RUN_QUEUE } from './journeys.jobs.ts';
import { inHoldout, splitBranch, waitUntil } from './journeys.tiles.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;
const QUEUES = [ADMIT_QUEUE, RUN_QUEUE, 'events.dispatch'];
const MIN = 60_000;

forEachDialect('the journey engine', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-02T08:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  let n = 0;
  const tag = () => `j${n++}x${Math.random().toString(36).slice(2, 8)}`;
  const db = () => ctx.db.kysely;
  const run = () => runJobs(t.services, QUEUES);

  async function message(purpose = 'marketing'): Promise<string> {
    return (
      await t.services.messages.create({
        name: `M ${tag()}`,
        purpose,
        subject: 'Hi',
        html: '<p>Hi</p><a href="{{ ' + 'unsubscribe_url }}">leave</a>',
      })
    ).id;
  }

  async function contact(company: string, level: number, child: 'adult' | 'child' | 'child+guardian' = 'adult', guardian?: string) {
    const c = await t.services.contacts.create({
      email: `${tag()}@example.com`,
      company,
      ...(child !== 'adult' && { isChild: true, guardianId: guardian ?? null }),
    });
    if (level > 0) await t.services.consent.setLevel(c.id, level, CTX);
    if (child === 'child+guardian') await t.services.consent.setGuardianConsent(c.id, true, CTX);
    return c.id;
  }

  interface JourneyOpts {
    required?: number | string;
    goal?: Goal | null;
    reentryAfter?: string | null;
    holdout?: number;
    state?: string;
  }

  /** A journey row as the journeys service stores it (the service is the API helper's), live and started through the lifecycle. */
  async function journey(tiles: Tile[], o: JourneyOpts = {}): Promise<string> {
    const id = newId();
    const now = clock.now().toISOString();
    await db()
      .insertInto('journeys')
      .values({
        id,
        name: `J ${tag()}`,
        state: o.state ?? 'live',
        required_level: typeof o.required === 'string' ? null : (o.required ?? 4),
        required_purpose: typeof o.required === 'string' ? o.required : null,
        graph: JSON.stringify({ tiles }),
        goal: o.goal ? JSON.stringify(o.goal) : null,
        reentry_after: o.reentryAfter ?? null,
        holdout_percent: o.holdout ?? 0,
        version: 1,
        created_at: now,
        updated_at: now,
        live_at: now,
        stopped_at: null,
      })
      .execute();
    await db()
      .transaction()
      .execute((trx) => t.services.journeyLifecycle.started(trx, id));
    return id;
  }

  const manual = (next: string): Tile => ({ id: 'start', type: 'start', trigger: { manual: true }, next });
  const admit = (id: string, ids: string[]) => t.services.journeyLifecycle.admit(id, ids);
  const position = (jid: string, cid: string) =>
    db().selectFrom('journey_positions').selectAll().where('journey_id', '=', jid).where('contact_id', '=', cid).executeTakeFirst();
  const stepsOf = (jid: string, cid: string) =>
    db()
      .selectFrom('journey_steps')
      .selectAll()
      .where('journey_id', '=', jid)
      .where('contact_id', '=', cid)
      .orderBy('entry')
      .orderBy('visit')
      .execute();
  const sendsFor = (jid: string) => db().selectFrom('sends').selectAll().where('origin', 'like', `journey:${jid}:%`).execute();
  async function counters(jid: string): Promise<Record<string, number>> {
    const rows = await db().selectFrom('journey_counters').selectAll().where('journey_id', '=', jid).execute();
    return Object.fromEntries(rows.map((r) => [`${r.tile_id}/${r.counter}`, Number(r.n)]));
  }

  describe('a linear journey', () => {
    it('moves contacts through condition, email, list and end, recording each step and counting it', async () => {
      const company = tag();
      const m = await message();
      const list = await t.services.lists.create({ name: `L ${tag()}` });
      const yes = await contact(company, 4);
      const no = await contact(`${company}-other`, 4);
      const jid = await journey([
        manual('c'),
        { id: 'c', type: 'condition', filter: { field: 'company', op: '=', value: company }, yes: 'e', no: 'end' },
        { id: 'e', type: 'email', messageId: m, next: 'l' },
        { id: 'l', type: 'list', action: 'join', listId: list.id, next: 'end' },
        { id: 'end', type: 'end' },
      ]);
      const a = await admit(jid, [yes, no, yes]);
      assert.equal(a.entered, 2, JSON.stringify(a));
      await run();
      assert.deepEqual(
        (await stepsOf(jid, yes)).map((s) => [s.visit, s.tile_id, s.outcome]),
        [
          [0, 'start', 'done'],
          [1, 'c', 'yes'],
          [2, 'e', 'done'],
          [3, 'l', 'done'],
          [4, 'end', 'done'],
        ],
      );
      assert.deepEqual(
        (await stepsOf(jid, no)).map((s) => [s.tile_id, s.outcome]),
        [
          ['start', 'done'],
          ['c', 'no'],
          ['end', 'done'],
        ],
      );
      assert.equal((await position(jid, yes))!.status, 'done');
      const sends = await sendsFor(jid);
      assert.deepEqual(
        sends.map((s) => s.contact_id),
        [yes],
      );
      assert.equal(sends[0]!.origin, `journey:${jid}:e:1`);
      assert.ok((await t.services.lists.memberships(yes)).some((x) => x.listId === list.id));
      const c = await counters(jid);
      assert.equal(c['/entered'], 2);
      assert.equal(c['/done'], 2);
      assert.equal(c['c/yes'], 1);
      assert.equal(c['c/no'], 1);
      assert.equal(c['e/done'], 1);
      assert.equal(c['end/entered'], 2);
      // The email pipeline takes the send (its batch job was enqueued with the step).
      await runJobs(t.services, ['email.batch']);
      const after = await sendsFor(jid);
      assert.notEqual(after[0]!.status, 'queued');
    });
  });

  const hour = 3_600_000;
  const setLevel = (id: string, level: number) => t.services.consent.setLevel(id, level, CTX);

  describe('required consent, enforced before every tile', () => {
    it('a journey requiring level 3 runs its waits for the base purpose (subscription), not marketing', async () => {
      const company = tag();
      const m = await message('subscription');
      const three = await contact(company, 3);
      const two = await contact(company, 2);
      const jid = await journey(
        [
          manual('w'),
          { id: 'w', type: 'wait', duration: 'PT1M', next: 'e' },
          { id: 'e', type: 'email', messageId: m, next: 'end' },
          { id: 'end', type: 'end' },
        ],
        { required: 3 },
      );
      const a = await admit(jid, [three, two]);
      assert.deepEqual([a.entered, a.notEntered], [1, { below_required_level: 1 }]);
      await run();
      assert.equal((await position(jid, three))!.status, 'waiting');
      clock.advance(2 * MIN);
      await run();
      assert.equal((await position(jid, three))!.status, 'done');
      assert.deepEqual(
        (await sendsFor(jid)).map((x) => x.contact_id),
        [three],
      );
    });

    it(
      'exits contacts whose consent fell, a child whose guardian withdrew, ' + 'and those below a raised requirement, when their wait ends',
      async () => {
        const company = tag();
        const m1 = await message('marketing');
        const guardian = await contact(company, 4);
        const stays = await contact(company, 5);
        const alsoStays = await contact(company, 4);
        const lowered = await contact(company, 4);
        const child = await contact(company, 4, 'child+guardian', guardian);
        const j1 = await journey([
          manual('w'),
          { id: 'w', type: 'wait', duration: 'PT1H', next: 'e' },
          { id: 'e', type: 'email', messageId: m1, next: 'end' },
          { id: 'end', type: 'end' },
        ]);
        const m2 = await message('marketing');
        const below = await contact(company, 4);
        const above = await contact(company, 5);
        const j2 = await journey(
          [
            manual('w'),
            { id: 'w', type: 'wait', duration: 'PT1H', next: 'e' },
            { id: 'e', type: 'email', messageId: m2, next: 'end' },
            { id: 'end', type: 'end' },
          ],
          { required: 4 },
        );
        assert.equal((await admit(j1, [stays, alsoStays, lowered, child])).entered, 4);
        assert.equal((await admit(j2, [below, above])).entered, 2);
        await run();
        for (const id of [stays, alsoStays, lowered, child]) assert.equal((await position(j1, id))!.status, 'waiting');
        await setLevel(lowered, 2);
        await t.services.consent.setGuardianConsent(child, false, CTX);
        // The requirement raised on the stored row, as PATCH does: to a purpose, whose level (5) the settings give.
        await db().updateTable('journeys').set({ required_level: null, required_purpose: 'profiling' }).where('id', '=', j2).execute();
        clock.advance(hour);
        await run();
        const sent = new Set((await sendsFor(j1)).concat(await sendsFor(j2)).map((x) => x.contact_id));
        assert.deepEqual([...sent].sort(), [stays, alsoStays, above].sort());
        const expectExit = async (jid: string, id: string, reason: string) => {
          const p = (await position(jid, id))!;
          assert.equal(p.status, 'exited');
          assert.equal(p.exit_reason, reason);
          assert.equal(p.tile_id, 'e');
          const last = (await stepsOf(jid, id)).at(-1)!;
          assert.deepEqual([last.tile_id, last.outcome, last.reason], ['e', 'exited', reason]);
        };
        await expectExit(j1, lowered, 'below_required_level');
        await expectExit(j1, child, 'child_without_guardian_consent');
        await expectExit(j2, below, 'below_required_level');
        for (const [jid, id] of [
          [j1, stays],
          [j1, alsoStays],
          [j2, above],
        ] as const)
          assert.equal((await position(jid, id))!.status, 'done');
        const c1 = await counters(j1);
        assert.equal(c1['e/exited:below_required_level'], 1);
        assert.equal(c1['e/exited:child_without_guardian_consent'], 1);
        assert.equal(c1['/exited:below_required_level'], 1);
        assert.equal(c1['e/done'], 2);
        assert.equal(c1['w/done'], 4);
        assert.equal((await counters(j2))['/exited:below_required_level'], 1);
      },
    );

    for (const dataProtectionEnabled of [true, false])
      it(`never lets a child into a journey requiring profiling (data protection ${dataProtectionEnabled ? 'on' : 'off'})`, async () => {
        await t.services.settings.patch({ dataProtectionEnabled });
        try {
          const company = tag();
          const guardian = await contact(company, 5);
          const adult = await contact(company, 5);
          const child = await contact(company, 5, 'child+guardian', guardian);
          const bare = await contact(company, 0, 'child', guardian);
          const jid = await journey([manual('end'), { id: 'end', type: 'end' }], { required: 'profiling' });
          const a = await admit(jid, [adult, child, bare]);
          assert.equal(a.entered, 1);
          assert.equal(a.notEntered.child_never_profiled, 2);
          assert.equal(await position(jid, child), undefined);
          assert.equal((await counters(jid))['/not_entered:child_never_profiled'], 2);
          // Nor later: a child flagged after entering leaves at its next tile.
          const later = await contact(company, 5);
          const j2 = await journey([manual('w'), { id: 'w', type: 'wait', duration: 'PT1M', next: 'end' }, { id: 'end', type: 'end' }], {
            required: 'profiling',
          });
          assert.equal((await admit(j2, [later])).entered, 1);
          await run();
          await t.services.contacts.update(later, { isChild: true, guardianId: guardian });
          clock.advance(2 * MIN);
          await run();
          assert.equal((await position(j2, later))!.exit_reason, 'child_never_profiled');
        } finally {
          await t.services.settings.patch({ dataProtectionEnabled: true });
        }
      });
  });

  describe('goals, waits for events, re-entry, holdout, split', () => {
    it('a segment goal met during a wait converts the contact at its next tile, with no email', async () => {
      const company = tag();
      const won = `${company}-won`;
      const seg = await t.services.segments.create({
        name: `S ` + `${tag()}`,
        kind: 'dynamic',
        filter: { field: 'company', op: '=', value: won },
      });
      const m = await message();
      const converts = await contact(company, 4);
      const goesOn = await contact(company, 4);
      const jid = await journey(
        [
          manual('w'),
          { id: 'w', type: 'wait', duration: 'PT1H', next: 'e' },
          { id: 'e', type: 'email', messageId: m, next: 'end' },
          { id: 'end', type: 'end' },
        ],
        { goal: { segmentId: seg.id } },
      );
      await admit(jid, [converts, goesOn]);
      await run();
      await t.services.contacts.update(converts, { company: won });
      clock.advance(hour);
      await run();
      const p = (await position(jid, converts))!;
      assert.deepEqual([p.status, p.exit_reason], ['converted', 'goal']);
      assert.deepEqual(
        (await sendsFor(jid)).map((x) => x.contact_id),
        [goesOn],
      );
      const c = await counters(jid);
      assert.equal(c['/converted'], 1);
      assert.equal(c['/done'], 1);
    });

    it('a segment goal met during a long wait converts the contact at the next tick, still waiting, not when the wait ends', async () => {
      const company = tag();
      const won = `${company}-won`;
      const seg = await t.services.segments.create({
        name: `S ${tag()}`,
        kind: 'dynamic',
        filter: { field: 'company', op: '=', value: won },
      });
      const m = await message();
      const converts = await contact(company, 4);
      const waits = await contact(company, 4);
      const jid = await journey(
        [
          manual('w'),
          { id: 'w', type: 'wait', duration: 'P3D', next: 'e' },
          { id: 'e', type: 'email', messageId: m, next: 'end' },
          { id: 'end', type: 'end' },
        ],
        { goal: { segmentId: seg.id } },
      );
      await admit(jid, [converts, waits]);
      await run();
      await t.services.contacts.update(converts, { company: won });
      await t.services.journeyJobs.tick();
      const p = (await position(jid, converts))!;
      assert.deepEqual([p.status, p.exit_reason, p.tile_id], ['converted', 'goal', 'w']);
      assert.equal((await position(jid, waits))!.status, 'waiting');
      assert.equal((await counters(jid))['/converted'], 1);
      // A second tick converts and counts no one again; the wait's end sends only to the one still in.
      await t.services.journeyJobs.tick();
      assert.equal((await counters(jid))['/converted'], 1);
      clock.advance(3 * 24 * hour);
      await run();
      assert.deepEqual(
        (await sendsFor(jid)).map((x) => x.contact_id),
        [waits],
      );
    });

    it('an event goal converts a waiting contact as soon as the event is dispatched', async () => {
      const company = tag();
      const m = await message();
      const converts = await contact(company, 4);
      const goesOn = await contact(company, 4);
      const jid = await journey(
        [
          manual('w'),
          { id: 'w', type: 'wait', duration: 'P1D', next: 'e' },
          { id: 'e', type: 'email', messageId: m, next: 'end' },
          { id: 'end', type: 'end' },
        ],
        { goal: { event: 'contact.updated' } },
      );
      await admit(jid, [converts, goesOn]);
      await run();
      await t.services.contacts.update(converts, { firstName: 'Zoë' });
      await run();
      const p = (await position(jid, converts))!;
      assert.deepEqual([p.status, p.exit_reason, p.tile_id], ['converted', 'goal', 'w']);
      assert.equal((await position(jid, goesOn))!.status, 'waiting');
      clock.advance(25 * hour);
      await run();
      assert.deepEqual(
        (await sendsFor(jid)).map((x) => x.contact_id),
        [goesOn],
      );
      assert.equal((await counters(jid))['/converted'], 1);
    });

    it('a wait for an event takes the event branch when it comes, the timeout branch when it does not', async () => {
      const company = tag();
      const onEvent = await message();
      const onTimeout = await message();
      const acts = await contact(company, 4);
      const idle = await contact(company, 4);
      const jid = await journey([
        manual('we'),
        { id: 'we', type: 'wait_event', event: 'contact.updated', timeout: 'PT2H', next: 'e1', timeoutNext: 'e2' },
        { id: 'e1', type: 'email', messageId: onEvent, next: 'end' },
        { id: 'e2', type: 'email', messageId: onTimeout, next: 'end' },
        { id: 'end', type: 'end' },
      ]);
      await admit(jid, [acts, idle]);
      await run();
      assert.equal((await position(jid, acts))!.wait_event, 'contact.updated');
      await t.services.contacts.update(acts, { lastName: 'Ōtsuka' });
      await run();
      const byContact = async () => new Map((await sendsFor(jid)).map((x) => [x.contact_id, x.message_id]));
      assert.deepEqual([...(await byContact())], [[acts, onEvent]]);
      clock.advance(3 * hour);
      await run();
      assert.deepEqual(
        await byContact(),
        new Map([
          [acts, onEvent],
          [idle, onTimeout],
        ]),
      );
      assert.deepEqual(
        (await stepsOf(jid, idle)).map((x) => [x.tile_id, x.outcome]),
        [
          ['start', 'done'],
          ['we', 'waiting'],
          ['we', 'timeout'],
          ['e2', 'done'],
          ['end', 'done'],
        ],
      );
      const c = await counters(jid);
      assert.equal(c['we/event'], 1);
      assert.equal(c['we/timeout'], 1);
      assert.equal(c['we/done'], 2);
    });

    it('re-entry: once lets a contact in once; again-after lets it in again only after the period since its stay ended', async () => {
      const company = tag();
      const m = await message();
      const id = await contact(company, 4);
      const tiles: Tile[] = [manual('e'), { id: 'e', type: 'email', messageId: m, next: 'end' }, { id: 'end', type: 'end' }];
      const once = await journey(tiles);
      const again = await journey(tiles, { reentryAfter: 'P1D' });
      for (const jid of [once, again]) assert.equal((await admit(jid, [id])).entered, 1);
      assert.deepEqual((await admit(once, [id])).notEntered, { already_in: 1 });
      await run();
      assert.deepEqual((await admit(once, [id])).notEntered, { already_entered: 1 });
      assert.deepEqual((await admit(again, [id])).notEntered, { reentry_wait: 1 });
      clock.advance(25 * hour);
      assert.deepEqual((await admit(once, [id])).notEntered, { already_entered: 1 });
      assert.equal((await admit(again, [id])).entered, 1);
      await run();
      assert.deepEqual((await sendsFor(again)).map((x) => x.origin).sort(), [`journey:${again}:e:1`, `journey:${again}:e:2`]);
      assert.equal((await sendsFor(once)).length, 1);
      assert.equal((await position(again, id))!.entry, 2);
      assert.equal((await counters(again))['/entered'], 2);
    });

    it('holds out a stable share of contacts, within a few points of its setting over 10,000 contacts', async () => {
      const jid = newId();
      for (const percent of [10, 25, 50]) {
        let held = 0;
        for (let i = 0; i < 10_000; i++) if (inHoldout(jid, newId(), percent)) held++;
        assert.ok(Math.abs(held / 100 - percent) < 2, `${held / 100}% held out for ${percent}%`);
      }
      // Through the engine: exactly the contacts the hash names, counted, and the same ones again.
      const company = tag();
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) ids.push(await contact(company, 4));
      const j = await journey([manual('end'), { id: 'end', type: 'end' }], { holdout: 30, reentryAfter: 'PT0S' });
      const a = await admit(j, ids);
      const expected = ids.filter((id) => inHoldout(j, id, 30));
      assert.equal(a.notEntered.holdout ?? 0, expected.length);
      assert.equal(a.entered, ids.length - expected.length);
      for (const id of expected) assert.equal((await position(j, id))!.status, 'holdout');
      await run();
      clock.advance(1000);
      const b = await admit(j, ids);
      assert.equal(b.entered, ids.length - expected.length);
      assert.equal((await counters(j))['/holdout'], expected.length);
    });

    it('a split sends each contact down the same branch every time, by its percentages', async () => {
      const company = tag();
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) ids.push(await contact(company, 4));
      const jid = await journey(
        [
          manual('s'),
          {
            id: 's',
            type: 'split',
            branches: [
              { percent: 30, next: 'a' },
              { percent: 70, next: 'b' },
            ],
          },
          { id: 'a', type: 'end' },
          { id: 'b', type: 'end' },
        ],
        { reentryAfter: 'PT0S' },
      );
      const branchOf = async () => {
        const rows = await db().selectFrom('journey_steps').selectAll().where('journey_id', '=', jid).where('tile_id', '=', 's').execute();
        return new Map(rows.map((r) => [`${r.contact_id}/${r.entry}`, r.outcome]));
      };
      await admit(jid, ids);
      await run();
      clock.advance(1000);
      assert.equal((await admit(jid, ids)).entered, ids.length);
      await run();
      const b = await branchOf();
      for (const id of ids) {
        assert.equal(b.get(`${id}/1`), `branch:${splitBranch(jid, 's', id, [30, 70])}`);
        assert.equal(b.get(`${id}/2`), b.get(`${id}/1`));
      }
      const c = await counters(jid);
      assert.equal((c['s/branch:0'] ?? 0) + (c['s/branch:1'] ?? 0), 2 * ids.length);
    });
  });

  describe('the email pipeline', () => {
    it('journey sends keep the email rules: quiet hours defer them, a frequency cap refuses the second', async () => {
      const rules = (r: object) =>
        t.services.settings.patch({ emailRules: { frequencyCaps: [], quietHours: null, dropDeferredWhenCancelled: true, ...r } });
      await rules({ quietHours: { start: '21:00', end: '08:00' }, frequencyCaps: [{ purpose: 'marketing', max: 1, window: 'P1D' }] });
      try {
        // 22:00 in the installation's zone (UTC) of the clock's next day.
        const day = new Date(clock.now().getTime() + 86_400_000).toISOString().slice(0, 10);
        clock.set(`${day}T22:00:00.000Z`);
        const company = tag();
        const first = await message();
        const second = await message();
        const id = await contact(company, 4);
        const jid = await journey([
          manual('e1'),
          { id: 'e1', type: 'email', messageId: first, next: 'e2' },
          { id: 'e2', type: 'email', messageId: second, next: 'end' },
          { id: 'end', type: 'end' },
        ]);
        await admit(jid, [id]);
        await run();
        await runJobs(t.services, ['email.batch']);
        const byMessage = async () => new Map((await sendsFor(jid)).map((x) => [x.message_id, x]));
        let sends = await byMessage();
        assert.equal(sends.get(first)!.status, 'deferred');
        const day2 = new Date(new Date(`${day}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
        assert.equal(sends.get(first)!.not_before, `${day2}T08:00:00.000Z`);
        clock.set(`${day2}T08:00:01.000Z`);
        await runJobs(t.services, ['email.batch']);
        // A send the cap stopped at its hand-over is tried again a minute later, and the policy refuses it then.
        clock.advance(2 * MIN);
        await runJobs(t.services, ['email.batch']);
        sends = await byMessage();
        const statuses = [sends.get(first)!, sends.get(second)!].map((x) => `${x.status}:${x.reason ?? ''}`).sort();
        assert.deepEqual(statuses, ['refused:frequency_cap', 'sent:']);
      } finally {
        await rules({});
      }
    });
  });

  describe('erasure and stopping', () => {
    it('erasure mid-journey removes positions, steps and tasks; no mail goes out afterwards; counters stay', async () => {
      const company = tag();
      const m = await message();
      const erased = await contact(company, 4);
      const kept = await contact(company, 4);
      const jid = await journey([
        manual('task'),
        { id: 'task', type: 'task', role: 'marketer', title: 'Call back', next: 'w' },
        { id: 'w', type: 'wait', duration: 'PT1H', next: 'e' },
        { id: 'e', type: 'email', messageId: m, next: 'end' },
        { id: 'end', type: 'end' },
      ]);
      await admit(jid, [erased, kept]);
      await run();
      assert.equal((await db().selectFrom('journey_tasks').selectAll().where('contact_id', '=', erased).execute()).length, 1);
      const before = await counters(jid);
      await t.services.erasure.erase({ contactIds: [erased] }, { actor: CLI_ACTOR });
      assert.equal(await position(jid, erased), undefined);
      assert.equal((await stepsOf(jid, erased)).length, 0);
      assert.equal((await db().selectFrom('journey_tasks').selectAll().where('contact_id', '=', erased).execute()).length, 0);
      assert.deepEqual(await counters(jid), before);
      clock.advance(hour);
      await run();
      assert.deepEqual(
        (await sendsFor(jid)).map((x) => x.contact_id),
        [kept],
      );
      const payloads = await db().selectFrom('jobs').select('payload').where('queue', 'in', QUEUES).execute();
      assert.ok(payloads.every((p) => !p.payload.includes(erased)));
    });

    it('stopping a journey exits everyone still in it with journey_stopped; its runs then do nothing', async () => {
      const company = tag();
      const m = await message();
      const ids = [await contact(company, 4), await contact(company, 4)];
      const jid = await journey([
        manual('w'),
        { id: 'w', type: 'wait', duration: 'PT1H', next: 'e' },
        { id: 'e', type: 'email', messageId: m, next: 'end' },
        { id: 'end', type: 'end' },
      ]);
      await admit(jid, ids);
      await run();
      await db()
        .transaction()
        .execute(async (trx) => {
          await trx.updateTable('journeys').set({ state: 'stopped' }).where('id', '=', jid).execute();
          await t.services.journeyLifecycle.stopped(trx, jid);
        });
      clock.advance(hour);
      await run();
      for (const id of ids) assert.equal((await position(jid, id))!.exit_reason, 'journey_stopped');
      assert.equal((await sendsFor(jid)).length, 0);
      assert.equal((await counters(jid))['w/exited:journey_stopped'], 2);
    });
  });

  describe('idempotency', () => {
    it('a batch run again after its positions were put back records, sends and counts nothing twice', async () => {
      const company = tag();
      const m = await message();
      const list = await t.services.lists.create({ name: `L ${tag()}` });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await contact(company, 4));
      const jid = await journey([
        manual('c'),
        { id: 'c', type: 'condition', filter: { field: 'company', op: '=', value: company }, yes: 'e', no: 'end' },
        { id: 'e', type: 'email', messageId: m, next: 'l' },
        { id: 'l', type: 'list', action: 'join', listId: list.id, next: 't' },
        { id: 't', type: 'task', role: 'marketer', next: 'end' },
        { id: 'end', type: 'end' },
      ]);
      await admit(jid, ids);
      const snapshot = await db().selectFrom('journey_positions').selectAll().where('journey_id', '=', jid).execute();
      await run();
      const counted = await counters(jid);
      const steps = (await db().selectFrom('journey_steps').selectAll().where('journey_id', '=', jid).execute()).length;
      // As if the run's commit had been lost to the job (a lapsed lease) and an older state read again.
      for (const p of snapshot)
        await db().updateTable('journey_positions').set(p).where('journey_id', '=', jid).where('contact_id', '=', p.contact_id).execute();
      await t.services.journeyJobs.scheduleRuns(jid);
      await run();
      assert.deepEqual(await counters(jid), counted);
      assert.equal((await db().selectFrom('journey_steps').selectAll().where('journey_id', '=', jid).execute()).length, steps);
      assert.equal((await sendsFor(jid)).length, ids.length);
      assert.equal((await db().selectFrom('journey_tasks').selectAll().where('journey_id', '=', jid).execute()).length, ids.length);
      for (const id of ids) assert.equal((await position(jid, id))!.status, 'done');
    });

    it('two runs racing over 600 due positions split them: each contact one step per tile, one send', async () => {
      const company = tag();
      const m = await message();
      const ids: string[] = [];
      for (let i = 0; i < 600; i++) ids.push(await contact(company, 4));
      const jid = await journey([manual('e'), { id: 'e', type: 'email', messageId: m, next: 'end' }, { id: 'end', type: 'end' }]);
      await admit(jid, ids);
      const [a, b] = await Promise.all([t.services.journeyEngine.run(jid), t.services.journeyEngine.run(jid)]);
      assert.equal(a.taken + b.taken, 500 + (ctx.dialect === 'postgres' ? 100 : 100));
      await run();
      assert.equal((await sendsFor(jid)).length, ids.length);
      const c = await counters(jid);
      assert.equal(c['e/done'], ids.length);
      assert.equal(c['/done'], ids.length);
      const steps = await db()
        .selectFrom('journey_steps')
        .select(['contact_id'])
        .where('journey_id', '=', jid)
        .where('tile_id', '=', 'e')
        .execute();
      assert.equal(steps.length, ids.length);
    });
  });

  describe('triggers', () => {
    it(
      'a segment trigger admits its members when it goes live, and ' + '(joinLater) new members at the tick; refusals counted once',
      async () => {
        const company = tag();
        const members = [await contact(company, 4), await contact(company, 4)];
        const refused = await contact(company, 1);
        const seg = await t.services.segments.create({
          name: `S ` + `${tag()}`,
          kind: 'dynamic',
          filter: { field: 'company', op: '=', value: company },
        });
        const jid = await journey([
          { id: 'start', type: 'start', trigger: { segmentId: seg.id, joinLater: true }, next: 'end' },
          { id: 'end', type: 'end' },
        ]);
        await run();
        for (const id of members) assert.equal((await position(jid, id))!.status, 'done');
        assert.equal(await position(jid, refused), undefined);
        const later = await contact(company, 4);
        clock.advance(MIN);
        await t.services.journeyJobs.tick();
        await run();
        assert.equal((await position(jid, later))!.status, 'done');
        const c = await counters(jid);
        assert.equal(c['/entered'], 3);
        assert.equal(c['/not_entered:below_required_level'], 1);
      },
    );

    it('a form trigger admits the contact a submission names; an event trigger the contact of an event of its type', async () => {
      const company = tag();
      const formId = newId();
      const submitter = await contact(company, 4);
      const other = await contact(company, 4);
      const byForm = await journey([
        { id: 'start', type: 'start', trigger: { formId }, next: 'end' },
        { id: 'end', type: 'end' },
      ]);
      const byEvent = await journey([
        { id: 'start', type: 'start', trigger: { event: 'consent.changed' }, next: 'end' },
        { id: 'end', type: 'end' },
      ]);
      await db()
        .transaction()
        .execute((trx) =>
          t.services.events.publish(trx, [
            { type: 'form.submitted', contactId: submitter, data: { formId, version: 1, submissionId: newId() } },
            { type: 'form.submitted', contactId: other, data: { formId: newId(), version: 1, submissionId: newId() } },
          ]),
        );
      const raised = await contact(company, 0);
      await setLevel(raised, 4);
      await run();
      assert.equal((await position(byForm, submitter))!.status, 'done');
      assert.equal(await position(byForm, other), undefined);
      assert.equal((await position(byEvent, raised))!.status, 'done');
    });
  });

  describe('tiles', () => {
    it('a condition on what the contact did since entering, and a field update through the contacts service', async () => {
      const company = tag();
      const did = await contact(company, 5);
      const didBefore = await contact(company, 5);
      const didNot = await contact(company, 5);
      const pageId = newId();
      await t.services.interactions.ingest([{ type: 'form_submitted', contactId: didBefore, pageId }]);
      clock.advance(1000);
      const jid = await journey(
        [
          manual('w'),
          { id: 'w', type: 'wait', duration: 'PT5M', next: 'c' },
          { id: 'c', type: 'condition', did: { type: 'form_submitted', ref: pageId }, yes: 'u', no: 'end' },
          { id: 'u', type: 'update_contact', field: 'company', value: 'Ünïcode ✓ 🚀', next: 'end' },
          { id: 'end', type: 'end' },
        ],
        { required: 'profiling' },
      );
      await admit(jid, [did, didBefore, didNot]);
      await run();
      clock.advance(MIN);
      await t.services.interactions.ingest([{ type: 'form_submitted', contactId: did, pageId }]);
      clock.advance(5 * MIN);
      await run();
      const outcome = async (id: string) => (await stepsOf(jid, id)).find((x) => x.tile_id === 'c')!.outcome;
      assert.equal(await outcome(did), 'yes');
      assert.equal(await outcome(didBefore), 'no');
      assert.equal(await outcome(didNot), 'no');
      assert.equal((await t.services.contacts.get(did)).company, 'Ünïcode ✓ 🚀');
      assert.equal((await t.services.contacts.get(didNot)).company, company);
    });

    it('waits until a time of day or a date-time in the installation time zone', () => {
      const at = new Date('2026-03-28T20:00:00Z');
      // Berlin is UTC+1 until 29 March 02:00, UTC+2 after.
      assert.equal(waitUntil({ until: '09:00' }, at, 'Europe/Berlin').toISOString(), '2026-03-29T07:00:00.000Z');
      assert.equal(waitUntil({ until: '20:30' }, at, 'Europe/Berlin').toISOString(), '2026-03-29T18:30:00.000Z');
      assert.equal(waitUntil({ until: '02:30' }, at, 'Europe/Berlin').toISOString(), '2026-03-29T01:00:00.000Z');
      assert.equal(waitUntil({ until: '2026-04-01T10:00' }, at, 'Europe/Berlin').toISOString(), '2026-04-01T08:00:00.000Z');
      assert.equal(waitUntil({ until: '2026-04-01T10:00:00Z' }, at, 'Europe/Berlin').toISOString(), '2026-04-01T10:00:00.000Z');
      assert.equal(waitUntil({ until: '2020-01-01' }, at, 'UTC').getTime(), at.getTime());
      assert.equal(waitUntil({ duration: 'P1M' }, new Date('2026-01-31T00:00:00Z'), 'UTC').toISOString(), '2026-02-28T00:00:00.000Z');
      assert.equal(waitUntil({ duration: 'PT2S' }, at, 'UTC').getTime(), at.getTime() + 2000);
    });

    it('a contact goes at most 50 steps in one run and on in the next', async () => {
      const company = tag();
      const id = await contact(company, 4);
      const chain: Tile[] = [manual('s0')];
      for (let i = 0; i < 60; i++)
        chain.push({ id: `s${i}`, type: 'split', branches: [{ percent: 100, next: i === 59 ? 'end' : `s${i + 1}` }] });
      chain.push({ id: 'end', type: 'end' });
      const jid = await journey(chain);
      await admit(jid, [id]);
      const r = await t.services.journeyEngine.run(jid);
      assert.equal(r.steps, 50);
      const p = (await position(jid, id))!;
      assert.deepEqual([p.status, p.tile_id], ['active', 's50']);
      await run();
      assert.equal((await position(jid, id))!.status, 'done');
      assert.equal((await stepsOf(jid, id)).length, 62);
    });

    it('a paused journey runs nothing; resumed, the waits that ended meanwhile run', async () => {
      const company = tag();
      const m = await message();
      const id = await contact(company, 4);
      const jid = await journey([
        manual('w'),
        { id: 'w', type: 'wait', duration: 'PT1H', next: 'e' },
        { id: 'e', type: 'email', messageId: m, next: 'end' },
        { id: 'end', type: 'end' },
      ]);
      await admit(jid, [id]);
      await run();
      await db().updateTable('journeys').set({ state: 'paused' }).where('id', '=', jid).execute();
      clock.advance(2 * hour);
      await run();
      assert.equal((await position(jid, id))!.status, 'waiting');
      await db()
        .transaction()
        .execute(async (trx) => {
          await trx.updateTable('journeys').set({ state: 'live' }).where('id', '=', jid).execute();
          await t.services.journeyLifecycle.resumed(trx, jid);
        });
      await run();
      assert.equal((await position(jid, id))!.status, 'done');
      assert.equal((await sendsFor(jid)).length, 1);
    });
  });
});
