import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect, onOneDatabase } from '../helpers/db.ts';

function openObjects(schema: unknown, path: string, out: string[]): void {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Record<string, unknown>;
  if (s.type === 'object' && s.properties && s.additionalProperties !== false) out.push(path);
  for (const [k, v] of Object.entries(s)) {
    if (Array.isArray(v)) v.forEach((x, i) => openObjects(x, `${path}/${k}/${i}`, out));
    else if (typeof v === 'object') openObjects(v, `${path}/${k}`, out);
  }
}

forEachDialect('health', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  it('GET /health answers ok without credentials once migrated', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(json(res), { status: 'ok' });
  });
});

// The document is made from the routes' schemas, whatever the database: read it once.
onOneDatabase('the API description', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  it('serves an OpenAPI 3 document naming every API route, and the browsable docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = json(res);
    assert.match(doc.openapi, /^3\./);
    for (const r of t.app.apiRoutes) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      assert.ok(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path} is documented`);
    }
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  });

  it('every request body, query and response object in the document is closed to unknown fields', async () => {
    const doc = json(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    const open: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const [m, op] of Object.entries(ops)) openObjects(op, `${m} ${p}`, open);
    }
    assert.deepEqual(
      open.filter((p) => !p.includes('/details')),
      [],
    );
  });
});
