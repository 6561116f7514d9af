import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { CONSOLE_DIR, installConsole } from '../../src/http/console.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { ensureConsoleBuilt } from '../helpers/console.ts';
import { freshDatabase, type ScratchDb } from '../helpers/db.ts';

/** The directives of a Content-Security-Policy header, by name. */
function csp(header: unknown): Map<string, string[]> {
  assert.equal(typeof header, 'string', 'a Content-Security-Policy header');
  const out = new Map<string, string[]>();
  for (const part of (header as string).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

function assertConsoleHeaders(headers: Record<string, unknown>, what: string) {
  const policy = csp(headers['content-security-policy']);
  const scripts = policy.get('script-src') ?? policy.get('default-src');
  assert.ok(scripts, `${what}: scripts are restricted`);
  for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:'])
    assert.ok(!scripts.includes(unsafe), `${what}: script-src allows ${unsafe}`);
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"], `${what}: frame-ancestors`);
  assert.deepEqual(policy.get('object-src'), ["'none'"], `${what}: object-src`);
  assert.equal(headers['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
}

describe('the console served at /admin', () => {
  let scratch: ScratchDb;
  let t: TestApp;
  before(async () => {
    ensureConsoleBuilt();
    scratch = await freshDatabase('sqlite');
    t = await testApp(scratch.db);
  });
  after(async () => {
    await t?.close();
    await scratch?.drop();
  });
  const get = (url: string) => t.app.inject({ method: 'GET', url });

  test('/ leads to the console', async () => {
    const res = await get('/');
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/admin/');
  });

  test("the page: HTML, never cached stale, every script a file of the console's own, the headers", async () => {
    for (const url of ['/admin', '/admin/']) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /^text\/html/, url);
      assert.equal(res.headers['cache-control'], 'no-cache', url);
      assertConsoleHeaders(res.headers, url);
      assert.match(res.body, /<div id="root"><\/div>/);
      // The CSP refuses inline scripts: the page must have none, or the console would not start.
      const scripts = [...res.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.ok(scripts.length > 0);
      for (const [, attrs, body] of scripts) {
        assert.match(attrs!, /\bsrc="\/admin\/assets\/[^"]+\.js"/, 'a script file under /admin/assets');
        assert.equal(body!.trim(), '', 'no inline script');
      }
    }
  });

  test("the app's own routes (a reload, a link) get the page", async () => {
    const page = (await get('/admin/')).body;
    for (const url of ['/admin/contacts', '/admin/contacts/01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f', '/admin/settings/users?x=1']) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, page, url);
      assertConsoleHeaders(res.headers, url);
    }
  });

  test('hashed assets are immutable, with the headers; a missing one is a 404, not the page', async () => {
    const assets = readdirSync(join(CONSOLE_DIR, 'assets')).filter((f) => /\.(js|css)$/.test(f));
    assert.ok(assets.some((f) => f.endsWith('.js')) && assets.some((f) => f.endsWith('.css')));
    for (const f of assets) {
      const res = await get(`/admin/assets/${f}`);
      assert.equal(res.statusCode, 200, f);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', f);
      assert.match(String(res.headers['content-type']), f.endsWith('.js') ? /javascript/ : /text\/css/, f);
      assertConsoleHeaders(res.headers, f);
    }
    for (const url of ['/admin/assets/index-missing.js', '/admin/.vite/manifest.json']) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, url);
      assert.doesNotMatch(res.body, /<div id="root">/, url);
      assertConsoleHeaders(res.headers, url);
    }
  });

  test('the API is not the console: its answers stay JSON, not the page', async () => {
    const res = await get('/api/v1/session');
    assert.equal(res.statusCode, 401);
    assert.match(String(res.headers['content-type']), /json/);
  });
});

test('an unbuilt console answers 503 saying how to build it, with the headers', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'assent-console-'));
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  try {
    await installConsole(app, empty);
    for (const url of ['/admin/', '/admin/contacts']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 503, url);
      assert.match(res.body, /npm run build:admin/);
      assertConsoleHeaders(res.headers, url);
    }
  } finally {
    await app.close();
    rmSync(empty, { recursive: true, force: true });
  }
});
