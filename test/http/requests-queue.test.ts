// What the console's queue of data requests needs from GET /api/v1/requests (issue 13, point 4):
// open cases only, sorted by deadline with paging, days left.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../src/lib/clock.ts';
import type { Role } from '../../src/modules/users/users.model.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const NOW = '2026-03-10T12:00:00.000Z';

forEachDialect('data-subject requests: the queue', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock(NOW);
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, role: Role = 'privacy_officer') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const open = async (body: Record<string, unknown>) => {
    const res = await call('POST', '/api/v1/requests', body);
    assert.equal(res.statusCode, 201, res.body);
    return json(res).data;
  };
  const vouched = { verified: true, note: 'Identity checked against a signed letter' };

  it('lists open cases by deadline, either way, paged without repeats, each with its days left', async () => {
    // Received on these days: deadlines a month on. Two share a deadline, so the id breaks the tie.
    const made = [];
    for (const [email, receivedAt] of [
      ['q1@example.com', '2026-02-20T09:00:00Z'],
      ['q2@example.com', '2026-01-20T09:00:00Z'],
      ['q3@example.com', '2026-03-10T09:00:00Z'],
      ['q4@example.com', '2026-02-20T10:00:00Z'],
      ['q5@example.com', '2026-02-10T09:00:00Z'],
    ] as const)
      made.push(await open({ type: 'access', email, receivedAt, ...vouched }));
    const [q1, q2, q3, q4, q5] = made;
    assert.deepEqual(
      made.map((r) => [r.deadline, r.daysLeft, r.overdue]),
      [
        ['2026-03-20', 10, false],
        ['2026-02-20', -18, true],
        ['2026-04-10', 31, false],
        ['2026-03-20', 10, false],
        ['2026-03-10', 0, false],
      ],
    );
    const closed = await open({ type: 'objection', email: 'q6@example.com', receivedAt: '2026-01-01T09:00:00Z', ...vouched });
    await call('PATCH', `/api/v1/requests/${closed.id}`, { status: 'rejected', note: 'Withdrawn by the requester' });

    const walk = async (query: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await call('GET', `/api/v1/requests?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, undefined, 'viewer');
        assert.equal(res.statusCode, 200, res.body);
        const body = json(res);
        assert.equal(body.page.total, 5);
        ids.push(...body.data.map((r: { id: string }) => r.id));
        cursor = body.page.next;
      } while (cursor);
      return ids;
    };
    const byDeadline = [q2.id, q5.id, q1.id, q4.id, q3.id];
    assert.deepEqual(await walk('open=true&sort=deadline'), byDeadline);
    assert.deepEqual(await walk('open=true&sort=-deadline'), [...byDeadline].reverse());
    assert.deepEqual(await walk('open=true&sort=-receivedAt'), [q3.id, q4.id, q1.id, q5.id, q2.id]);
    assert.deepEqual(await walk('open=true'), [q1.id, q2.id, q3.id, q4.id, q5.id], 'without a sort, in the order opened');

    const closedOnes = json(await call('GET', '/api/v1/requests?open=false')).data;
    assert.deepEqual(
      closedOnes.map((r: { id: string; daysLeft: number | null }) => [r.id, r.daysLeft]),
      [[closed.id, null]],
      'a closed case has no days left',
    );
    const dueSoon = json(await call('GET', '/api/v1/requests?dueWithin=7&overdue=false&sort=deadline')).data;
    assert.deepEqual(
      dueSoon.map((r: { id: string }) => r.id),
      [q5.id],
    );

    const first = json(await call('GET', '/api/v1/requests?open=true&sort=deadline&limit=2'));
    const other = await call('GET', `/api/v1/requests?open=true&sort=receivedAt&limit=2&cursor=${first.page.next}`);
    assert.equal(other.statusCode, 400, 'a cursor taken under one sort is refused under another');
    assert.equal(json(other).error.code, 'invalid_cursor');
    assert.equal((await call('GET', '/api/v1/requests?sort=email')).statusCode, 400);
  });

  it('a fulfilled case has no days left, and its answer names no link (the requester’s alone)', async () => {
    await t.services.contacts.create({ email: 'linked@example.com', firstName: 'Lina' });
    const r = await open({ type: 'access', email: 'linked@example.com', ...vouched });
    const res = await call('POST', `/api/v1/requests/${r.id}/fulfil`, {}, 'privacy_officer');
    assert.equal(res.statusCode, 200, res.body);
    const done = json(res).data;
    assert.deepEqual([done.status, done.daysLeft, done.overdue], ['completed', null, false]);
    assert.doesNotMatch(res.body, /token=/);
  });
});
