import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/snapshot.ts';

/** Text no database or tool can hold: a NUL, a lone high surrogate, a lone low one. */
const BAD = ['a\u0000b', 'a\ud800b', '\udc00'];
const SOME_ID = '01900000-0000-7000-8000-000000000000';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  pattern?: string;
};

/** One place a request body can carry text: how to build a body with `bad` there, and the JSON pointer the refusal must name. */
interface Spot {
  make: (bad: string) => unknown;
  path: (bad: string) => string;
}

/** How the API names a field in `details`: a JSON pointer, with characters it could not hold written as \uXXXX. */
const seg = (s: string) =>
  s
    .replace(/~/g, '~0')
    .replace(/\//g, '~1')
    .replace(/\u0000|[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const admitsText = (s: Schema): boolean =>
  s.type === undefined && !s.properties && !s.items && !s.anyOf && !s.oneOf
    ? true
    : s.type === 'string' ||
      (Array.isArray(s.type) && s.type.includes('string')) ||
      !!s.enum?.some((v) => typeof v === 'string') ||
      !!(s.anyOf ?? s.oneOf)?.some(admitsText);

/**
 * Every spot a schema admits text: values, object keys (closed objects too), record values, array items, union members, and anything an
 * untyped schema takes.
 */
function spots(s: Schema, depth = 0): Spot[] {
  if (depth > 8) return [];
  const out: Spot[] = [];
  const members = s.anyOf ?? s.oneOf;
  if (members) for (const m of members) out.push(...spots(m, depth + 1));
  const untyped = s.type === undefined && !s.properties && !s.items && !members && !s.enum;
  if (s.type === 'string' || s.enum?.some((v) => typeof v === 'string') || untyped) out.push({ make: (b) => b, path: () => '' });
  if (s.type === 'object' || s.properties || untyped) {
    for (const [name, p] of Object.entries(s.properties ?? {}))
      for (const x of spots(p, depth + 1)) out.push({ make: (b) => ({ [name]: x.make(b) }), path: (b) => `/${seg(name)}${x.path(b)}` });
    // A key with bad text, in every object: a closed object refuses it anyway, but by naming it.
    out.push({ make: (b) => ({ [`k${b}`]: 1 }), path: (b) => `/${seg(`k${b}`)}` });
    const rec = typeof s.additionalProperties === 'object' ? s.additionalProperties : untyped ? {} : null;
    if (rec)
      for (const x of spots(rec, depth + 1))
        out.push({
          make: (b) => ({ key: untyped ? { deeper: [x.make(b)] } : x.make(b) }),
          path: (b) => (untyped ? `/key/deeper/0${x.path(b)}` : `/key${x.path(b)}`),
        });
  }
  if (s.type === 'array' && s.items)
    for (const x of spots(s.items, depth + 1)) out.push({ make: (b) => [x.make(b)], path: (b) => `/0${x.path(b)}` });
  return out;
}

interface Op {
  method: string;
  path: string;
  parameters?: { in: string; name: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

/**
 * Walks the served OpenAPI document: every operation, every string its path, query string and
 * JSON body accept, gets a NUL and lone surrogates, and must be refused with 400
 * `validation_failed` naming that field, or, on a public link (it takes a `token`, in its query
 * or its path), with the link's one refusal. Nothing may be written. A new route is walked by being in the document.
 */
forEachDialect('text no database can hold is refused in every field', (ctx) => {
  let t: TestApp;
  let ops: Op[];
  before(async () => {
    t = await testApp(ctx.db);
    const doc = JSON.parse((await t.app.inject({ url: '/openapi.json' })).body) as { paths: Record<string, Record<string, Op>> };
    ops = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
    );
  });
  after(async () => t.close());

  // A public link takes its token in the query (data requests) or the path (a sent message's links).
  const isLink = (op: Op) => (op.parameters ?? []).some((p) => (p.in === 'query' || p.in === 'path') && p.name === 'token');
  const urlOf = (op: Op, param?: { name: string; value: string }) =>
    op.path.replace(/\{(\w+)\}/g, (_m, name: string) => (param?.name === name ? param.value : name === 'name' ? 'cards' : SOME_ID));

  const refused = (op: Op, res: Awaited<ReturnType<TestApp['app']['inject']>>, where: string, path: string, what: string) => {
    if (isLink(op)) {
      // The link's one refusal: 404, or for the open pixel its one image (it answers every token alike).
      const pixel = op.path === '/public/v1/email/open/{token}';
      assert.equal(res.statusCode, pixel ? 200 : 404, `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (pixel) assert.equal(res.headers['content-type'], 'image/gif', what);
      return;
    }
    assert.equal(res.statusCode, 400, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    const err = json(res).error;
    assert.equal(err.code, 'validation_failed', what);
    const named = (err.details as { in: string; path: string }[] | undefined) ?? [];
    assert.ok(
      named.some((d) => d.in === where && d.path === path),
      `${what} names ${where} ${path}: ${JSON.stringify(named)}`,
    );
  };

  it('every operation, every string field', async () => {
    await t.services.entities.define({
      name: 'cards',
      linked: true,
      erase: 'delete',
      fields: [{ name: 'code', type: 'text', personal: true }],
    });
    const before = await dumpDatabase(ctx.db);
    let probes = 0;
    // Public links last: their refusals are counted and audited by design (as a forged link's are).
    const ordered = [...ops.filter((o) => !isLink(o)), ...ops.filter(isLink)];
    let linksFrom = -1;
    for (const op of ordered) {
      if (isLink(op) && linksFrom < 0) {
        linksFrom = probes;
        assert.deepEqual(await dumpDatabase(ctx.db), before, 'nothing was written');
      }
      const headers = { ...t.auth('admin') };
      for (const p of op.parameters ?? []) {
        if (p.in === 'path') {
          const res = await t.app.inject({
            method: op.method as 'GET',
            url: urlOf(op, { name: p.name, value: 'a%00b' }),
            headers,
            ...(op.requestBody ? { payload: {} } : {}),
          });
          refused(op, res, 'params', `/${p.name}`, `${op.method} ${op.path} path ${p.name}`);
          probes++;
        } else if (p.in === 'query' && admitsText(p.schema)) {
          const res = await t.app.inject({
            method: op.method as 'GET',
            url: `${urlOf(op)}?${p.name}=a%00b`,
            headers,
            ...(op.requestBody?.content['application/json'] ? { payload: {} } : {}),
          });
          refused(op, res, 'querystring', `/${p.name}`, `${op.method} ${op.path} query ${p.name}`);
          probes++;
        }
      }
      const body = op.requestBody?.content['application/json']?.schema;
      if (!body) continue;
      for (const spot of spots(body)) {
        for (const bad of BAD) {
          const payload = JSON.stringify(spot.make(bad));
          const res = await t.app.inject({
            method: op.method as 'POST',
            url: urlOf(op),
            headers: { ...headers, 'content-type': 'application/json' },
            payload,
          });
          refused(op, res, 'body', spot.path(bad) || '/', `${op.method} ${op.path} body ${payload}`);
          probes++;
        }
      }
    }
    assert.ok(linksFrom > 300, `only ${linksFrom} probes: the walk found too little`);
    assert.ok(probes > linksFrom, 'the public link was probed');
    const { audit_log: _a, rate_limits: _r, ...rest } = await dumpDatabase(ctx.db);
    const { audit_log: _b, rate_limits: _s, ...expected } = before;
    assert.deepEqual(rest, expected, 'a refused link wrote nothing but its audit entry and rate count');
  });

  it('the refusal names fields in query strings and bodies of public routes the same way', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/public/v1/requests',
      payload: JSON.stringify({ type: 'access', email: 'ana\u0000@example.com' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      (json(res).error.details as { in: string; path: string }[]).map((d) => [d.in, d.path]),
      [['body', '/email']],
    );
    const lone = await t.app.inject({
      method: 'POST',
      url: '/public/v1/requests',
      payload: '{"type":"access","email":"ana\\ud800@example.com"}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(lone.statusCode, 400);
    assert.equal(json(lone).error.details[0].path, '/email');
    assert.equal((await t.services.requests.list({}, 10)).length, 0);
  });

  it('a CSV import refuses such a header and rejects such a row, naming the column', async () => {
    const post = (csv: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...t.auth('admin'), 'content-type': 'text/csv' }, payload: csv });
    const head = await post('email,first\u0000Name\nnul@example.com,Ann\n');
    assert.equal(head.statusCode, 400, head.body);
    assert.equal(json(head).error.code, 'validation_failed');
    assert.ok(
      (json(head).error.details as { path: string }[]).some((d) => d.path === '/header/1'),
      head.body,
    );
    const rows = await post('email,firstName,lastName\ncell@example.com,A\u0000nn,Lee\nok@example.com,Bo,Lee\n');
    assert.equal(rows.statusCode, 200, rows.body);
    const r = json(rows).data;
    assert.equal(r.created, 1);
    assert.equal(r.rejected.length, 1);
    assert.equal(r.rejected[0].line, 2);
    assert.match(r.rejected[0].reason, /^firstName: /);
    assert.equal(await t.services.contacts.findByEmail('cell@example.com'), null);
    // The service reads text from anywhere (the CLI's file too): lone surrogates there are rejected alike.
    const direct = await t.services.imports.importCsv(['email,lastName\nlone@example.com,L\ud800e\n'], {
      actor: { type: 'system', id: null },
      mayChangeConsent: false,
    });
    assert.equal(direct.rejected.length, 1);
    assert.match(direct.rejected[0]!.reason, /^lastName: /);
  });
});
