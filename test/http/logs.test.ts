import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/lib/log.ts';
import { createServices, type Services } from '../../src/services.ts';
import { systemClock } from '../../src/lib/clock.ts';
import type { FastifyInstance } from 'fastify';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('logs hold no personal data', (ctx) => {
  const lines: string[] = [];
  let app: FastifyInstance;
  let services: Services;
  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    services = createServices(loadConfig({}), ctx.db, systemClock, createLogger('trace', sink));
    await services.settings.ensureDefaults();
    app = await buildApp(services);
  });
  after(async () => {
    await app.close();
    await services.mail.close();
  });

  it('request logs keep method, path and status, but no query string, credential or body value', async () => {
    const { secret } = await services.users.createKey({ name: 'k', role: 'admin' });
    await services.users.createUser({ email: 'jane.doe@example.com', role: 'viewer', password: 'jane secret password' });
    const answers = [
      await app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: 'jane.doe@example.com', password: 'jane secret password' },
      }),
      await app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: 'jane.doe@example.com', password: 'wrong guess here' },
      }),
      await app.inject({
        method: 'GET',
        url: '/api/v1/audit?targetId=jane.doe%40example.com',
        headers: { authorization: `Bearer ${secret}` },
      }),
      await app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: { authorization: `Bearer ${secret}` },
        payload: { email: 'john.roe@example.com', role: 'nope', password: 'x' },
      }),
    ];
    const all = lines.join('');
    // One access line per request: its id, method, path and the status it was answered with.
    const access = lines.filter((l) => l.includes('"msg":"request completed"')).map((l) => JSON.parse(l));
    assert.deepEqual(
      access.map((l) => [l.reqId, l.req.method, l.req.path, l.res.statusCode]),
      answers.map((a, i) => [
        a.headers['x-request-id'],
        i === 2 ? 'GET' : 'POST',
        ['/api/v1/session', '/api/v1/session', '/api/v1/audit', '/api/v1/users'][i],
        a.statusCode,
      ]),
    );
    assert.ok(access.every((l) => typeof l.responseTime === 'number'));
    assert.match(all, /"path":"\/api\/v1\/audit"/);
    for (const needle of ['jane.doe', 'john.roe', 'jane secret', 'wrong guess', secret, secret.slice(20), 'example.com']) {
      assert.ok(!all.includes(needle), `log contains ${needle}`);
    }
  });
});
