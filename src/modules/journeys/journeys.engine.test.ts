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
});
