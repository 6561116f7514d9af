import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listenBaseUrl, loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { settingsMigrations } from '../../src/modules/settings/settings.migrations.ts';
import { createServices } from '../../src/services.ts';
import { forEachDialect } from '../helpers/db.ts';
import { startAssent } from '../helpers/start.ts';

// Issue 12, point 7: while `publicBaseUrl` is not set, links use the address the server was
// started on, and never a port nobody listens on.

const dir = mkdtempSync(join(tmpdir(), 'assent-public-url-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `assent start --port 0` until it says where it runs and has printed the first login. */
const start = () => startAssent(dir, { env: { PORT: '' }, ready: (out) => /password: +\S+\n[\s\S]*\n\n/.test(out) });

it('assent start on a random port: a data request’s link points to that port, and the start says to set publicBaseUrl', async () => {
  const s = await start();
  try {
    const port = new URL(s.base).port;
    assert.notEqual(port, '8080');
    assert.match(s.out(), /set publicBaseUrl/);
    assert.ok(s.out().includes(`point to http://localhost:${port}`), s.out());
    const asked = await fetch(`${s.base}/public/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'access', email: 'link.port@example.org' }),
    });
    assert.equal(asked.status, 202, await asked.text());
    // The serving process works the job queue: the link leaves through the outbox (no SMTP relay).
    const password = /password: +(\S+)/.exec(s.out())![1]!;
    const login = await fetch(`${s.base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password }),
    });
    assert.equal(login.status, 201);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    let text = '';
    for (let i = 0; i < 100 && !text; i++) {
      const box = (await (await fetch(`${s.base}/api/v1/outbox`, { headers: { cookie } })).json()) as {
        data: { to: string; text: string | null }[];
      };
      text = box.data.find((m) => m.to === 'link.port@example.org')?.text ?? '';
      if (!text) await new Promise((r) => setTimeout(r, 200));
    }
    const link = /(https?:\/\/[^\s/]+)\/public\/v1\/requests\/verify/.exec(text);
    assert.ok(link, `a verification link in: ${text}`);
    assert.equal(new URL(link[1]!).port, port, 'the link’s port is the one the server listens on');
    assert.equal(new URL(link[1]!).hostname, 'localhost');
  } finally {
    await s.stop();
  }
});

describe('listenBaseUrl: the base of links to the address a server is started on', () => {
  it('says localhost for every interface and for 127.0.0.1, brackets IPv6, keeps a name', () => {
    assert.equal(listenBaseUrl('0.0.0.0', 3000), 'http://localhost:3000');
    assert.equal(listenBaseUrl('::', 3000), 'http://localhost:3000');
    assert.equal(listenBaseUrl('[::]', 3000), 'http://localhost:3000');
    assert.equal(listenBaseUrl('127.0.0.1', 8080), 'http://localhost:8080');
    assert.equal(listenBaseUrl('::1', 8080), 'http://[::1]:8080');
    assert.equal(listenBaseUrl('192.0.2.7', 81), 'http://192.0.2.7:81');
    assert.equal(listenBaseUrl('assent.internal', 81), 'http://assent.internal:81');
    assert.equal(loadConfig({ HOST: '0.0.0.0', PORT: '3001' }).listenBaseUrl, 'http://localhost:3001');
    assert.equal(loadConfig({}, { port: 4000 }).listenBaseUrl, 'http://localhost:4000');
  });
});

forEachDialect('publicBaseUrl when not set', (ctx) => {
  const services = (port: number) => createServices(loadConfig({ PORT: String(port) }), ctx.db, systemClock, createLogger('silent'));

  it('follows the configured address, then the port bound, until an operator sets it', async () => {
    const s = services(3456);
    await s.settings.ensureDefaults();
    assert.equal(await s.settings.publicBaseUrlSet(), false);
    assert.equal((await s.settings.get()).publicBaseUrl, 'http://localhost:3456');
    s.settings.listeningAt('http://localhost:41234');
    assert.equal((await s.settings.get()).publicBaseUrl, 'http://localhost:41234');
    assert.equal((await s.settings.view()).publicBaseUrl, 'http://localhost:41234');
    // Another setting changed: publicBaseUrl stays unset.
    await s.settings.patch({ majorityAge: 18 });
    assert.equal(await s.settings.publicBaseUrlSet(), false);
    await s.settings.patch({ publicBaseUrl: 'https://privacy.example.com' });
    assert.equal(await s.settings.publicBaseUrlSet(), true);
    assert.equal((await s.settings.get()).publicBaseUrl, 'https://privacy.example.com');
    assert.equal((await services(3457).settings.get()).publicBaseUrl, 'https://privacy.example.com');
  });

  it('migration 0021: the old stored default counts as not set; a value an operator chose stays', async () => {
    const up = settingsMigrations['0021_settings_public_base_url']!.up;
    const stored = () => ctx.db.kysely.selectFrom('settings').select('value').where('key', '=', 'publicBaseUrl').executeTakeFirst();
    await ctx.db.kysely.deleteFrom('settings').where('key', '=', 'publicBaseUrl').execute();
    const now = new Date().toISOString();
    await ctx.db.kysely
      .insertInto('settings')
      .values({ key: 'publicBaseUrl', value: JSON.stringify('http://localhost:8080'), updated_at: now })
      .execute();
    await up(ctx.db.kysely);
    assert.equal(await stored(), undefined);
    assert.equal((await services(5000).settings.get()).publicBaseUrl, 'http://localhost:5000');
    await ctx.db.kysely
      .insertInto('settings')
      .values({ key: 'publicBaseUrl', value: JSON.stringify('http://localhost:8080/'), updated_at: now })
      .execute();
    await up(ctx.db.kysely);
    assert.equal((await stored())?.value, JSON.stringify('http://localhost:8080/'));
  });
});
