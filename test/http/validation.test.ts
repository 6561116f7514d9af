import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/snapshot.ts';

forEachDialect('bad input is refused with a code and writes nothing', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const admin = () => ({ ...t.auth('admin'), 'content-type': 'application/json' });

  const cases: {
    name: string;
    method: 'POST' | 'PATCH' | 'GET';
    url: string;
    body?: string;
    status: number;
    code: string;
    path?: string;
  }[] = [
    {
      name: 'malformed JSON',
      method: 'PATCH',
      url: '/api/v1/settings',
      body: '{"dataProtectionEnabled": tru',
      status: 400,
      code: 'invalid_json',
    },
    { name: 'empty JSON body', method: 'POST', url: '/api/v1/users', body: '', status: 400, code: 'invalid_json' },
    {
      name: 'unknown field',
      method: 'PATCH',
      url: '/api/v1/settings',
      body: '{"dataProtectionEnabled": false, "colour": "red"}',
      status: 400,
      code: 'validation_failed',
      path: '/colour',
    },
    {
      name: 'unknown nested field',
      method: 'PATCH',
      url: '/api/v1/settings',
      body: '{"smtp": {"host":"h","port":25,"secure":false,"from":"a@b.example","tls":{}}}',
      status: 400,
      code: 'validation_failed',
      path: '/smtp/tls',
    },
    {
      name: 'string for a boolean is not coerced',
      method: 'PATCH',
      url: '/api/v1/settings',
      body: '{"dataProtectionEnabled": "false"}',
      status: 400,
      code: 'validation_failed',
      path: '/dataProtectionEnabled',
    },
    {
      name: 'number for a string',
      method: 'POST',
      url: '/api/v1/keys',
      body: '{"name": 42, "role": "viewer"}',
      status: 400,
      code: 'validation_failed',
      path: '/name',
    },
    {
      name: 'missing required field',
      method: 'POST',
      url: '/api/v1/keys',
      body: '{"role": "viewer"}',
      status: 400,
      code: 'validation_failed',
      path: '/name',
    },
    {
      name: 'unknown enum value',
      method: 'POST',
      url: '/api/v1/users',
      body: '{"email":"x@example.com","role":"root","password":"a long enough password"}',
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'an array where an object belongs',
      method: 'PATCH',
      url: '/api/v1/settings',
      body: '[1,2]',
      status: 400,
      code: 'validation_failed',
    },
    { name: 'empty patch', method: 'PATCH', url: '/api/v1/settings', body: '{}', status: 400, code: 'validation_failed' },
    {
      name: 'consent levels renumbered',
      method: 'PATCH',
      url: '/api/v1/settings',
      body: JSON.stringify({ consentLevels: [0, 1, 2, 3, 4, 4].map((level) => ({ level, name: 'x', description: '' })) }),
      status: 400,
      code: 'validation_failed',
    },
    { name: 'query parameter of the wrong type', method: 'GET', url: '/api/v1/audit?limit=abc', status: 400, code: 'validation_failed' },
    { name: 'query parameter out of range', method: 'GET', url: '/api/v1/audit?limit=100000', status: 400, code: 'validation_failed' },
    { name: 'unknown query parameter', method: 'GET', url: '/api/v1/users?sort=email', status: 400, code: 'validation_failed' },
    { name: 'forged cursor', method: 'GET', url: '/api/v1/users?cursor=bm9wZQ', status: 400, code: 'invalid_cursor' },
    { name: 'malformed id in the path', method: 'GET', url: '/api/v1/users/1%27%20or%201=1', status: 400, code: 'validation_failed' },
    {
      name: 'oversize body',
      method: 'PATCH',
      url: '/api/v1/settings',
      body: JSON.stringify({ publicBaseUrl: 'https://x.example/' + 'a'.repeat(2 * 1024 * 1024) }),
      status: 413,
      code: 'payload_too_large',
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const before = await dumpDatabase(ctx.db);
      const res = await t.app.inject({
        method: c.method,
        url: c.url,
        headers: admin(),
        ...(c.body !== undefined ? { payload: c.body } : {}),
      });
      assert.equal(res.statusCode, c.status, res.body);
      const body = json(res);
      assert.equal(body.error.code, c.code);
      assert.equal(typeof body.error.message, 'string');
      if (c.path)
        assert.ok(
          (body.error.details as { path: string }[]).some((d) => d.path === c.path),
          JSON.stringify(body.error.details),
        );
      assert.deepEqual(await dumpDatabase(ctx.db), before, 'the database is unchanged');
    });
  }

  it('a wrong content type is refused', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { ...t.auth('admin'), 'content-type': 'text/plain' },
      payload: 'dataProtectionEnabled=false',
    });
    assert.equal(res.statusCode, 415);
    assert.equal(json(res).error.code, 'unsupported_media_type');
  });

  it('an unknown route answers 404 with a code', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: t.auth('admin') });
    assert.equal(res.statusCode, 404);
    assert.equal(json(res).error.code, 'route_not_found');
  });

  it('a valid patch is applied and the SMTP password is never returned', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: admin(),
      payload: JSON.stringify({
        dataProtectionEnabled: false,
        smtp: { host: 'relay.example.com', port: 587, secure: false, user: 'u', password: 'hunter2-secret', from: 'news@example.com' },
      }),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.doesNotMatch(res.body, /hunter2/);
    const got = json(await t.app.inject({ method: 'GET', url: '/api/v1/settings', headers: t.auth('viewer') }));
    assert.equal(got.data.dataProtectionEnabled, false);
    assert.equal(got.data.smtp.passwordSet, true);
    assert.equal(got.data.consentLevels.length, 6);
    assert.equal(got.data.consentLevels[5].name, 'Profiling');
    assert.equal((await t.services.settings.get()).smtp?.password, 'hunter2-secret');
  });

  it('request ids are echoed, or made when absent or unsafe', async () => {
    const a = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-12345678' } });
    assert.equal(a.headers['x-request-id'], 'abc-12345678');
    const b = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b<script>' } });
    assert.match(String(b.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });
});
