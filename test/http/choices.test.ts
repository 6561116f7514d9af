import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { loadConfig } from '../../src/config.ts';
import { namedChoices } from '../../src/lib/choices.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const noConstantLists = (details: { message: string }[]) =>
  assert.ok(!details.some((d) => /equal to constant|match a schema in anyOf|allowed values/.test(d.message)), JSON.stringify(details));

forEachDialect('a value outside a choice is refused naming the allowed values', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  it('a body field (a union of literals): one detail, "must be one of: text, number, boolean, date"', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/contact-fields',
      headers: t.auth('admin'),
      payload: { name: 'shoe_size', type: 'colour', personal: false },
    });
    assert.equal(res.statusCode, 400);
    const { error } = json(res);
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual(error.details, [{ in: 'body', path: '/type', message: 'must be one of: text, number, boolean, date' }]);
  });

  it('a query parameter (an enum) names its values, and other problems keep their own messages', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/requests?status=lost&limit=0', headers: t.auth('admin') });
    assert.equal(res.statusCode, 400);
    const { details } = json(res).error;
    noConstantLists(details);
    assert.ok(
      details.some(
        (d: { path: string; message: string }) =>
          d.path === '/status' &&
          d.message === 'must be one of: received, awaiting_verification, verified, in_progress, completed, rejected',
      ),
      JSON.stringify(details),
    );
    assert.ok(details.some((d: { path: string }) => d.path === '/limit'));
  });

  it('a role in a new API key: one detail naming the four roles', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/keys',
      headers: t.auth('admin'),
      payload: { name: 'ci', role: 'root' },
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(json(res).error.details, [
      { in: 'body', path: '/role', message: 'must be one of: admin, marketer, privacy_officer, viewer' },
    ]);
  });

  it('an interaction of an unknown kind names the kinds, through the ingest check too', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/interactions',
      headers: t.auth('admin'),
      payload: { events: [{ contactId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f', type: 'teleport' }] },
    });
    assert.equal(res.statusCode, 400);
    const { error } = json(res);
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual([error.details.index, error.details.path], [0, '/type']);
    assert.match(error.details.message, /^must be one of: email_sent, email_delivered, /);
  });
});

describe('namedChoices', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // Hostile choices: Unicode, empty, look-alikes; distinct as the schema needs them.
  const choices = fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 8 });

  it('ajv and TypeBox both give one error naming every value, for a union of literals with or without null', () => {
    fc.assert(
      fc.property(choices, fc.boolean(), fc.string(), (values, nullable, wrong) => {
        fc.pre(!values.includes(wrong));
        const branches = [...values.map((v) => Type.Literal(v)), ...(nullable ? [Type.Null()] : [])];
        const schema = Type.Object({ pick: Type.Union(branches) });
        const expected = `must be one of: ${[...values, ...(nullable ? ['null'] : [])].join(', ')}`;
        const check = ajv.compile(schema);
        assert.equal(check({ pick: wrong }), false);
        for (const errors of [namedChoices(check.errors ?? [], schema), namedChoices([...Value.Errors(schema, { pick: wrong })], schema)]) {
          assert.deepEqual(
            errors.map((e) => [e.instancePath, e.message]),
            [['/pick', expected]],
          );
        }
      }),
    );
  });

  it('names an enum, and leaves a union that is not a choice as the validator said', () => {
    const schema = Type.Object({ e: Type.Enum(['a', 'b']), u: Type.Union([Type.String({ maxLength: 2 }), Type.Number()]) });
    const check = ajv.compile(schema);
    check({ e: 'c', u: 'long' });
    const out = namedChoices(check.errors ?? [], schema);
    assert.deepEqual(out.find((e) => e.instancePath === '/e')?.message, 'must be one of: a, b');
    assert.deepEqual(
      out.filter((e) => e.instancePath === '/u').map((e) => e.keyword),
      check.errors?.filter((e) => e.instancePath === '/u').map((e) => e.keyword),
    );
  });

  it('the configuration names the allowed values too', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'loud' }),
      (e: Error) => /must be one of: /.test(e.message) && !/equal to constant/.test(e.message),
    );
  });
});
