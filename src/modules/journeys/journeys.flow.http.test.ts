import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../lib/clock.ts';
import { json, type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { BATCH_QUEUE } from '../email/engine.jobs.ts';
import { ADMIT_QUEUE, RUN_QUEUE } from './journeys.jobs.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;

// The API and the engine together (the API's own tests stand a recorder in for the engine): a
// journey built, set live and entered over HTTP, run by the real jobs, and read back over HTTP.
// The stats the console draws must be the counters the engine wrote, the path its steps.
forEachDialect('journeys over HTTP, run by the engine', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-05-04T09:00:00.000Z');
  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const r = await t.app.inject({
      method,
      url,
      headers: t.auth('marketer'),
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: r.statusCode, body: json(r) };
  };

  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ dataProtectionEnabled: true });
  });
  after(() => t.close());

  it('manual entry, a wait, a mail and an end: counts, path and refusals as the engine recorded them', async () => {
    const m = await api('POST', '/api/v1/messages', {
      name: 'Hello',
      purpose: 'subscription',
      subject: 'Hi',
      html: '<p>Hi</p><a href="{{ unsubscribe_url }}">Leave</a>',
    });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    const made = await api('POST', '/api/v1/journeys', {
      name: 'Welcome',
      requiredConsent: 3,
      tiles: [
        { id: 'in', type: 'start', trigger: { manual: true }, next: 'pause' },
        { id: 'pause', type: 'wait', duration: 'PT1H', next: 'mail' },
        { id: 'mail', type: 'email', messageId: m.body.data.id, next: 'out' },
        { id: 'out', type: 'end' },
      ],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.deepEqual(made.body.data.problems, [], 'a level-3 journey of waits and a subscription mail needs nothing more');
    const id = made.body.data.id as string;
    assert.equal((await api('PATCH', `/api/v1/journeys/${id}`, { state: 'live' })).status, 200);

    const ids: string[] = [];
    for (const level of [3, 4, 2, 5]) {
      const c = await t.services.contacts.create({ email: `flow${level}.${id.slice(-6)}@example.com` });
      await t.services.consent.setLevel(c.id, level, CTX);
      ids.push(c.id);
    }
    const entered = await api('POST', `/api/v1/journeys/${id}/contacts`, { contactIds: [...ids, ids[0]] });
    assert.equal(entered.status, 200, JSON.stringify(entered.body));
    assert.equal(entered.body.data.entered, 3);
    assert.equal(entered.body.data.notEntered.below_required_level, 1);

    await runJobs(t.services, [RUN_QUEUE, ADMIT_QUEUE]);
    let stats = (await api('GET', `/api/v1/journeys/${id}/stats`)).body.data;
    assert.equal(stats.entered, 3);
    assert.equal(stats.inJourney, 3);
    assert.equal(stats.tiles.pause.waiting, 3);

    // One lowers her level during the wait: she leaves at the mail tile with the gate's reason.
    await t.services.consent.setLevel(ids[1]!, 2, CTX);
    clock.advance(3_600_000);
    await runJobs(t.services, [RUN_QUEUE]);
    stats = (await api('GET', `/api/v1/journeys/${id}/stats`)).body.data;
    assert.equal(stats.done, 2);
    assert.equal(stats.inJourney, 0);
    assert.deepEqual(stats.exited, { below_required_level: 1 });
    assert.deepEqual(stats.tiles.mail.exited, { below_required_level: 1 });
    assert.equal(stats.tiles.mail.done, 2);
    assert.equal(stats.tiles.out.done, 2);

    const path = (await api('GET', `/api/v1/journeys/${id}/contacts/${ids[1]}`)).body.data;
    assert.equal(path.status, 'exited');
    assert.equal(path.exitReason, 'below_required_level');
    assert.deepEqual(
      path.steps.map((s: { tileId: string; outcome: string }) => [s.tileId, s.outcome]),
      [
        ['in', 'done'],
        ['pause', 'waiting'],
        ['pause', 'done'],
        ['mail', 'exited'],
      ],
    );
    const mine = (await api('GET', `/api/v1/contacts/${ids[0]}/journeys`)).body.data;
    assert.deepEqual(
      mine.map((x: { journeyId: string; status: string }) => [x.journeyId, x.status]),
      [[id, 'done']],
    );
    // Two sends, to the two still eligible, through the email pipeline.
    const sends = await ctx.db.kysely
      .selectFrom('sends')
      .select(['contact_id', 'origin'])
      .where('origin', 'like', `journey:${id}:%`)
      .execute();
    assert.deepEqual(sends.map((s) => s.contact_id).sort(), [ids[0], ids[3]].sort());
    await runJobs(t.services, [BATCH_QUEUE]);
  });
});
