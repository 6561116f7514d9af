import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ROLES } from '../../src/http/principal.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const OLD = 'the old long password';
const NEW = 'a brand new long password';

// Issue 12 point 6: every user changes their own password; their other sessions end.
forEachDialect('a user changes their own password', (ctx) => {
  let t: TestApp;
  before(async () => {
    // A clock that stands still: a throttle delay (1 s after the fifth wrong guess) must not pass while guesses are checked.
    t = await testApp(ctx.db, { clock: new FakeClock() });
  });
  after(async () => t.close());

  const login = async (email: string, password: string, ip = '10.1.0.1') => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress: ip });
    if (res.statusCode !== 201) return { status: res.statusCode, cookie: '' };
    const raw = [res.headers['set-cookie']].flat().find((c) => typeof c === 'string' && c.startsWith('assent_session=')) as string;
    return { status: 201, cookie: raw.split(';')[0]! };
  };
  const change = (cookie: string, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/v1/session/password', headers: { cookie }, payload });
  const me = async (cookie: string) => (await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).statusCode;

  for (const role of ROLES)
    it(`${role}: the current password is required; the new one works, the old does not; other sessions end`, async () => {
      const email = `self-${role}@example.com`;
      await t.services.users.createUser({ email, role, password: OLD });
      const here = await login(email, OLD);
      const elsewhere = await login(email, OLD, '10.1.0.2');
      assert.equal(here.status, 201);
      assert.equal(elsewhere.status, 201);

      const wrong = await change(here.cookie, { currentPassword: 'not the password', newPassword: NEW });
      assert.equal(wrong.statusCode, 400);
      assert.equal(json(wrong).error.code, 'validation_failed');
      assert.equal(json(wrong).error.details[0].path, '/currentPassword');
      const short = await change(here.cookie, { currentPassword: OLD, newPassword: 'short' });
      assert.equal(short.statusCode, 400);
      for (const bad of [
        {},
        { currentPassword: OLD },
        { currentPassword: OLD, newPassword: 'x'.repeat(1025) },
        { currentPassword: null, newPassword: NEW },
      ])
        assert.equal((await change(here.cookie, bad)).statusCode, 400, JSON.stringify(bad).slice(0, 60));
      assert.equal(await me(elsewhere.cookie), 200, 'refused changes end no session');
      assert.equal((await login(email, OLD, '10.1.0.3')).status, 201, 'refused changes keep the password');

      const ok = await change(here.cookie, { currentPassword: OLD, newPassword: NEW });
      assert.equal(ok.statusCode, 204, ok.body);
      assert.equal(await me(here.cookie), 200, 'the session that asked stays');
      assert.equal(await me(elsewhere.cookie), 401, 'every other session ends');
      assert.equal((await login(email, OLD, '10.1.0.4')).status, 401);
      assert.equal((await login(email, NEW, '10.1.0.4')).status, 201);
      const audit = (await t.services.audit.list({ action: 'session.password' }, 100)).filter((e) => e.outcome === 'ok');
      assert.ok(audit.some((e) => e.actorType === 'user' && e.targetId === e.actorId));
    });

  it('an API key has no password to change', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session/password',
      headers: t.auth('admin'),
      payload: { currentPassword: OLD, newPassword: NEW },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).error.code, 'validation_failed');
  });

  it('guesses of the current password are slowed like logins', async () => {
    await t.services.users.createUser({ email: 'guess@example.com', role: 'viewer', password: OLD });
    const { cookie } = await login('guess@example.com', OLD, '10.1.0.9');
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await change(cookie, { currentPassword: `guess ${i}`, newPassword: NEW })).statusCode);
    assert.deepEqual(codes, [400, 400, 400, 400, 400, 429, 429]);
  });
});
