import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../src/lib/clock.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { ROLES } from '../../src/modules/users/users.model.ts';

function sessionCookie(res: { headers: Record<string, unknown> }): string {
  const raw = [res.headers['set-cookie']].flat().find((c) => typeof c === 'string' && c.startsWith('assent_session=')) as
    | string
    | undefined;
  assert.ok(raw, 'a session cookie is set');
  return raw;
}

forEachDialect('console sessions', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.users.createUser({ email: 'Officer@Example.COM', role: 'privacy_officer', password: 'a long enough password' });
  });
  after(async () => t.close());

  const login = (email: string, password: string, ip = '10.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress: ip });

  it('logs in with an HTTP-only cookie, which then authenticates, and logs out', async () => {
    const res = await login('Officer@example.com', 'a long enough password');
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).data.principal.role, 'privacy_officer');
    const cookie = sessionCookie(res);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    const token = cookie.split(';')[0]!;

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: token } });
    assert.equal(me.statusCode, 200);
    assert.equal(json(me).data.principal.kind, 'user');
    // The role table applies to sessions too.
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: { cookie: token } })).statusCode, 200);
    assert.equal(
      (
        await t.app.inject({
          method: 'PATCH',
          url: '/api/v1/settings',
          headers: { cookie: token },
          payload: { dataProtectionEnabled: false },
        })
      ).statusCode,
      403,
    );

    const out = await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: token } });
    assert.equal(out.statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: token } })).statusCode, 401);
  });

  it('refuses a wrong password and an unknown address with the same answer', async () => {
    const wrong = await login('officer@example.com', 'not the password', '10.0.0.2');
    const unknown = await login('nobody@example.com', 'not the password', '10.0.0.2');
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.body, unknown.body);
    assert.equal(json(wrong).error.code, 'invalid_credentials');
  });

  it('a session expires, and a disabled user loses theirs at once', async () => {
    const token = sessionCookie(await login('Officer@example.com', 'a long enough password', '10.0.0.3')).split(';')[0]!;
    clock.advance(13 * 3600_000);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: token } })).statusCode, 401);

    const fresh = sessionCookie(await login('Officer@example.com', 'a long enough password', '10.0.0.3')).split(';')[0]!;
    const user = (await t.services.users.listUsers(100)).find((u) => u.role === 'privacy_officer')!;
    await t.services.users.updateUser(user.id, { disabled: true });
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: fresh } })).statusCode, 401);
    assert.equal((await login('Officer@example.com', 'a long enough password', '10.0.0.3')).statusCode, 401);
    await t.services.users.updateUser(user.id, { disabled: false });
  });

  it(
    'slows guessing per account, in the database, without locking ' + 'the account (test/http/login-throttle.test.ts has the rest)',
    async () => {
      await t.services.users.createUser({ email: 'target@example.com', role: 'viewer', password: 'a long enough password' });
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push((await login('target@example.com', `guess ${i}`, '192.0.2.1')).statusCode);
      assert.deepEqual(codes, [401, 401, 401, 401, 401, 429, 429]);
      const limited = await login('target@example.com', 'a long enough password', '192.0.2.1');
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.headers['retry-after'], '1');
      // The count lives in the database: a second app on the same database sees it too.
      const other = await testApp(ctx.db, { clock });
      try {
        const res = await other.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { email: 'target@example.com', password: 'a long enough password' },
          remoteAddress: '192.0.2.1',
        });
        assert.equal(res.statusCode, 429);
      } finally {
        await other.close();
      }
      clock.advance(1000);
      assert.equal((await login('target@example.com', 'a long enough password', '192.0.2.1')).statusCode, 201);
    },
  );

  it('a revoked API key stops working', async () => {
    const { key, secret } = await t.services.users.createKey({ name: 'temp', role: 'viewer' });
    const h = { authorization: `Bearer ${secret}` };
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/settings', headers: h })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/keys/${key.id}`, headers: t.auth('admin') })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/settings', headers: h })).statusCode, 401);
    const stored = JSON.stringify(await ctx.db.kysely.selectFrom('api_keys').selectAll().execute());
    // The secret part is base64url and may itself contain '_': take everything after the prefix.
    const secretPart = secret.split('_').slice(2).join('_');
    assert.ok(secretPart.length >= 40);
    assert.ok(!stored.includes(secretPart), 'the key secret is not stored');
  });
  it('tells each role what it may do, and the server refuses exactly the rest', async () => {
    // A console user also sees who they are.
    await t.services.users.createUser({
      email: 'rights@Example.com',
      role: 'privacy_officer',
      password: 'another long password',
      name: 'Ana Ré',
    });
    const res = await login('rights@example.com', 'another long password', '10.0.0.9');
    assert.equal(res.statusCode, 201, res.body);
    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: sessionCookie(res).split(';')[0]! } });
    assert.deepEqual(json(mine).data.user, { email: 'rights@example.com', name: 'Ana Ré' });
    assert.deepEqual(json(mine).data.rights.webhooks, []);
    assert.deepEqual(json(mine).data.rights.erasure, ['read', 'write']);
    // The console draws navigation and actions from `rights`; here every route of the API is
    // called as each role, and the server's own answer (403 or not) must agree with it.
    for (const role of ROLES) {
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: t.auth(role) });
      assert.equal(me.statusCode, 200);
      const rights = json(me).data.rights as Record<string, string[]>;
      assert.equal(json(me).data.user, undefined, 'an API key has no user');
      let allowed = 0;
      let refused = 0;
      for (const r of t.app.apiRoutes) {
        if (typeof r.access !== 'object') continue;
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: r.url.replace(/:(id|listId)\b/g, '00000000-0000-7000-8000-000000000000'),
          headers: t.auth(role),
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
        });
        const says = rights[r.access.area]?.includes(r.access.op) ?? false;
        assert.equal(res.statusCode !== 403, says, `${role} ${r.method} ${r.url}: rights say ${says}, the server ${res.statusCode}`);
        if (says) allowed++;
        else refused++;
      }
      assert.ok(allowed > 0, `${role} may do something`);
      if (role !== 'admin') assert.ok(refused > 0, `${role} is refused something`);
    }
  });
});
