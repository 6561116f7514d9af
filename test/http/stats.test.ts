import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../src/lib/clock.ts';
import type { Role } from '../../src/modules/users/users.model.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

const NOW = '2026-01-31T12:00:00.000Z';
const system = { type: 'system', id: null } as const;

forEachDialect('overview counts for the dashboard, and the SMTP relay test', (ctx) => {
  const clock = new FakeClock(NOW);
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, role: Role = 'admin') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('counts contacts per stored consent level, every level named, zero where none', async () => {
    const empty = json(await call('GET', '/api/v1/stats/contacts', undefined, 'viewer')).data;
    assert.deepEqual(empty, { total: 0, levels: [0, 1, 2, 3, 4, 5].map((level) => ({ level, count: 0 })) });
    const at = [0, 2, 2, 5, 5, 5];
    for (const [i, level] of at.entries()) {
      const c = await t.services.contacts.create({ email: `lvl${i}@example.com` });
      if (level > 0) await t.services.consent.setLevel(c.id, level, { source: 'api', actor: system });
    }
    const res = await call('GET', '/api/v1/stats/contacts', undefined, 'marketer');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data, {
      total: 6,
      levels: [
        { level: 0, count: 1 },
        { level: 1, count: 0 },
        { level: 2, count: 2 },
        { level: 3, count: 0 },
        { level: 4, count: 0 },
        { level: 5, count: 3 },
      ],
    });
  });

  it('counts open requests, those due within 7 days (overdue included) and overdue ones, as the listing filters them', async () => {
    const open = (email: string, receivedAt?: string) =>
      t.services.requestIntake.fromStaff(
        {
          type: 'access',
          email,
          verified: true,
          note: 'Identity checked by phone',
          ...(receivedAt ? { receivedAt: new Date(receivedAt) } : {}),
        },
        system,
        null,
      );
    await open('late@example.com', '2025-12-01T09:00:00Z'); // deadline 2026-01-01: overdue
    await open('soon@example.com', '2026-01-05T09:00:00Z'); // deadline 2026-02-05: due within 7 days
    await open('later@example.com'); // deadline 2026-02-28
    await open('today@example.com', '2025-12-31T09:00:00Z'); // deadline today: due, not overdue
    await open('seventh@example.com', '2026-01-07T09:00:00Z'); // deadline in exactly 7 days: due within 7 days
    const done = await open('done@example.com', '2025-12-02T09:00:00Z');
    await t.services.requests.patch(done.id, { status: 'rejected', note: 'Manifestly unfounded' }, system);
    const res = await call('GET', '/api/v1/stats/requests', undefined, 'viewer');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data, { open: 5, dueSoon: 4, dueWithinDays: 7, overdue: 1 });
    const listed = async (q: string) => json(await call('GET', `/api/v1/requests?${q}&limit=1`)).page.total;
    assert.equal(await listed('dueWithin=7'), 4, 'the same as the listing');
    assert.equal(await listed('overdue=true'), 1);
    assert.equal((await call('GET', '/api/v1/stats/requests', undefined, 'marketer')).statusCode, 403);
  });

  it('sends a test message through the saved relay and says why when it cannot', async () => {
    const none = await call('POST', '/api/v1/settings/smtp/test', { to: 'me@example.com' });
    assert.equal(none.statusCode, 409, none.body);
    assert.equal(json(none).error.code, 'smtp_not_set');

    const sink = await startSmtpSink();
    try {
      assert.equal((await call('PATCH', '/api/v1/settings', { smtp: sink.relay() })).statusCode, 200);
      const ok = await call('POST', '/api/v1/settings/smtp/test', { to: 'Me@Example.com' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(json(ok).data.host, '127.0.0.1');
      assert.match(json(ok).data.messageId, /@/);
      assert.equal(sink.count('me@example.com'), 1, 'the relay took the message');

      const bad = await call('POST', '/api/v1/settings/smtp/test', { to: 'not an address' });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(json(bad).error.code, 'validation_failed');
      assert.equal(
        (await call('POST', '/api/v1/settings/smtp/test', { to: 'me@example.com' }, 'privacy_officer')).statusCode,
        403,
        'settings write only',
      );
      // A relay nobody listens on (port 1 refuses at once on loopback): the answer says why, not the address.
      assert.equal((await call('PATCH', '/api/v1/settings', { smtp: { ...sink.relay(), port: 1 } })).statusCode, 200);
      const down = await call('POST', '/api/v1/settings/smtp/test', { to: 'me@example.com' });
      assert.equal(down.statusCode, 502, down.body);
      assert.equal(json(down).error.code, 'mail_failed');
      assert.match(json(down).error.details.reason, /^E[A-Z]+$/);
      assert.doesNotMatch(down.body, /me@example/, 'the address is not echoed');
    } finally {
      await call('PATCH', '/api/v1/settings', { smtp: null });
      await sink.close();
    }
  });
});
