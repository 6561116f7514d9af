import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import spectralCore from '@stoplight/spectral-core';
import Parsers from '@stoplight/spectral-parsers';
import { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { onOneDatabase } from '../helpers/db.ts';
import { ruleset } from './openapi.ruleset.ts';

const { Spectral, Document } = spectralCore as unknown as typeof import('@stoplight/spectral-core');
type Doc = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * OPENAPI_LINT_TAGS=contacts,consent keeps the findings of the operations with one of these tags
 * (a helper working on some modules checks them alone); unset, every finding counts.
 */
const ONLY = (process.env.OPENAPI_LINT_TAGS ?? '').split(',').filter(Boolean);

function operations(doc: Doc): { path: string; method: string; op: Doc; where: string }[] {
  const out = [];
  for (const [path, item] of Object.entries<Doc>(doc.paths)) {
    for (const method of METHODS) if (item[method]) out.push({ path, method, op: item[method], where: `${method.toUpperCase()} ${path}` });
  }
  return ONLY.length ? out.filter((o) => (o.op.tags ?? []).some((t: string) => ONLY.includes(t))) : out;
}

/** The operation a finding's path lies in, if any. */
const opOf = (doc: Doc, path: readonly (string | number)[]) =>
  path[0] === 'paths' && typeof path[2] === 'string' && METHODS.includes(path[2]) ? doc.paths[path[1]!]?.[path[2]] : undefined;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ?? formatsPlugin) as unknown as (
    a: Ajv,
  ) => void;
  addFormats(ajv);
  return ajv;
}

/** Every example of the operation, with the schema it must validate against. */
function examplesOf(op: Doc): { where: string; schema: Doc; value: unknown }[] {
  const out: { where: string; schema: Doc; value: unknown }[] = [];
  const media = (content: Doc | undefined, where: string) => {
    for (const [type, m] of Object.entries<Doc>(content ?? {})) {
      if (m.example !== undefined) out.push({ where: `${where} ${type}`, schema: m.schema ?? {}, value: m.example });
      for (const [name, e] of Object.entries<Doc>(m.examples ?? {}))
        out.push({ where: `${where} ${type} ${name}`, schema: m.schema ?? {}, value: e.value });
    }
  };
  media(op.requestBody?.content, 'request body');
  for (const p of op.parameters ?? []) {
    const ex = p.example ?? p.schema?.example;
    if (ex !== undefined) out.push({ where: `${p.in} parameter ${p.name}`, schema: p.schema ?? {}, value: ex });
  }
  for (const [status, r] of Object.entries<Doc>(op.responses ?? {})) media(r.content, `response ${status}`);
  return out;
}

onOneDatabase('the OpenAPI document against Spectral (OAS) and OWASP API Security rulesets', (ctx) => {
  let t: TestApp;
  let doc: Doc;
  let text: string;
  before(async () => {
    t = await testApp(ctx.db);
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    text = res.body;
    doc = json(res);
  });
  after(async () => t.close());

  it('has no finding of level error (waivers in test/http/openapi.ruleset.ts, each with its reason)', async () => {
    const spectral = new Spectral();
    spectral.setRuleset(ruleset as never);
    const results = await spectral.run(new Document(text, Parsers.Json, 'openapi.json'));
    const errors = results
      .filter((r) => r.severity === 0)
      .filter((r) => !ONLY.length || (opOf(doc, r.path)?.tags ?? []).some((tag: string) => ONLY.includes(tag)))
      .map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`);
    assert.deepEqual(errors, [], `${errors.length} error-level findings:\n${errors.join('\n')}`);
  });

  it('every operation has a unique camelCase operationId, a described tag, a summary and a description', () => {
    const problems: string[] = [];
    const ids = new Map<string, string>();
    const tags = new Map<string, string>((doc.tags ?? []).map((t: Doc) => [t.name, t.description]));
    for (const { op, where } of operations(doc)) {
      if (!/^[a-z][A-Za-z0-9]*$/.test(op.operationId ?? '')) problems.push(`${where}: operationId ${op.operationId} is not camelCase`);
      else if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} is also ${ids.get(op.operationId)}'s`);
      else ids.set(op.operationId, where);
      if (!op.tags?.length) problems.push(`${where}: no tag`);
      for (const tag of op.tags ?? []) if (!tags.get(tag)) problems.push(`${where}: tag ${tag} has no description in the document's tags`);
      if (!op.summary?.trim()) problems.push(`${where}: no summary`);
      // The document adds who may call and how it pages; the route must say what it does.
      const own = (op.description ?? '').replace(/\*\*(Who may call|Paging):\*\*[^\n]*/g, '');
      if (!own.trim()) problems.push(`${where}: no description of its own`);
    }
    assert.deepEqual(problems, []);
  });

  it('derives operationIds from method and path, so a client generated from the document keeps its method names', () => {
    const id = (path: string, method: string) => doc.paths[path]?.[method]?.operationId;
    assert.equal(id('/api/v1/contacts/{id}', 'get'), 'getContactsById');
    assert.equal(id('/api/v1/contacts/{id}/lists/{listId}', 'put'), 'putContactsByIdListsByListId');
    assert.equal(id('/api/v1/contact-fields', 'post'), 'postContactFields');
    assert.equal(id('/public/v1/requests', 'post'), 'postPublicRequests');
    assert.equal(id('/api/v1/requests', 'post'), 'postRequests');
  });

  it('every operation has a request example (when it takes input) and a response example, each valid against its schema', () => {
    const ajv = validator();
    const problems: string[] = [];
    for (const { op, where } of operations(doc)) {
      const examples = examplesOf(op);
      const takesInput = op.requestBody || (op.parameters ?? []).length > 0;
      if (takesInput && !examples.some((e) => !e.where.startsWith('response'))) problems.push(`${where}: no request example`);
      const success = Object.entries<Doc>(op.responses ?? {}).find(([s, r]) => /^2/.test(s) && r.content);
      if (success && !examples.some((e) => e.where.startsWith(`response ${success[0]}`))) {
        problems.push(`${where}: no example of its ${success[0]} answer`);
      }
      for (const e of examples) {
        // Component references resolve within the document: the schema is checked as part of it.
        const check = ajv.compile({ ...e.schema, components: doc.components });
        if (!check(e.value)) problems.push(`${where}: the ${e.where} example does not match its schema: ${ajv.errorsText(check.errors)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('declares 401 and 403 where a key is needed, 429 on the open (rate-limited) routes, and 500 everywhere', () => {
    const problems: string[] = [];
    for (const { op, where } of operations(doc)) {
      const open = Array.isArray(op.security) && op.security.length === 0;
      for (const status of open ? ['429', '500'] : ['401', '403', '500']) {
        if (!op.responses?.[status]) problems.push(`${where}: no ${status} answer`);
      }
      if (op.responses?.['429'] && !op.responses['429'].headers?.['Retry-After']) problems.push(`${where}: 429 without Retry-After`);
    }
    assert.deepEqual(problems, []);
  });

  it('links the error codes and the segment language, and serves both', async () => {
    for (const link of ['/docs/errors.md', '/docs/segments.md']) {
      assert.ok(doc.info.description.includes(`](${link})`), `info.description links ${link}`);
      const res = await t.app.inject({ method: 'GET', url: link });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/markdown/);
    }
    assert.match((await t.app.inject({ method: 'GET', url: '/docs/errors.md' })).body, /\| `validation_failed` \| 400 \|/);
    assert.match((await t.app.inject({ method: 'GET', url: '/docs/segments.md' })).body, /^# Segment filters/);
    assert.equal(doc.externalDocs.url, '/docs/errors.md');
  });
});
