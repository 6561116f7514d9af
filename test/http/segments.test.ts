import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/snapshot.ts';

forEachDialect('segments API', (ctx) => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  before(async () => {
    t = await testApp(ctx.db);
    const mk = async (email: string, body: object, level: number) => {
      const c = await t.services.contacts.create({ email, ...body });
      if (level) await t.services.consent.setLevel(c.id, level, { source: 'api', actor: { type: 'system', id: null } });
      ids[email] = c.id;
    };
    await mk('anna@example.de', { country: 'DE', firstName: 'Anna' }, 4);
    await mk('ben@example.de', { country: 'DE', firstName: 'Ben' }, 1);
    await mk('chloe@example.fr', { country: 'FR', firstName: 'Chloé' }, 5);
    await mk('dan@example.com', {}, 0);
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: t.auth('marketer'), ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('dynamic segments are live; static ones keep their snapshot until re-taken', async () => {
    const filter = { and: [{ field: 'country', op: '=', value: 'DE' }, { allowed: 'marketing' }] };
    assert.deepEqual(json(await call('POST', '/api/v1/segments/preview', { filter })).data, { count: 1 });
    const dyn = json(await call('POST', '/api/v1/segments', { name: 'DE marketing', kind: 'dynamic', filter })).data;
    const stat = json(await call('POST', '/api/v1/segments', { name: 'DE marketing (frozen)', kind: 'static', filter })).data;
    assert.ok(stat.snapshotAt);
    await t.services.consent.setLevel(ids['ben@example.de']!, 4, { source: 'api', actor: { type: 'system', id: null } });
    assert.deepEqual(json(await call('GET', `/api/v1/segments/${dyn.id}/count`)).data, { count: 2 });
    assert.deepEqual(json(await call('GET', `/api/v1/segments/${stat.id}/count`)).data, { count: 1 });
    const members = json(await call('GET', `/api/v1/segments/${dyn.id}/members?limit=1`));
    assert.equal(members.data.length, 1);
    assert.ok(members.page.next);
    const rest = json(await call('GET', `/api/v1/segments/${dyn.id}/members?limit=1&cursor=${members.page.next}`));
    assert.deepEqual([members.data[0].email, rest.data[0].email].sort(), ['anna@example.de', 'ben@example.de']);
    assert.equal(json(await call('POST', `/api/v1/segments/${stat.id}/snapshot`)).data.kind, 'static');
    assert.deepEqual(json(await call('GET', `/api/v1/segments/${stat.id}/count`)).data, { count: 2 });
    assert.equal((await call('POST', `/api/v1/segments/${dyn.id}/snapshot`)).statusCode, 400);
  });

  it('a segment says what it is for: a description on create and patch, blank or null for none', async () => {
    const filter = { field: 'country', op: '=', value: 'FR' };
    const made = await call('POST', '/api/v1/segments', {
      name: 'French',
      description: '  For the Paris launch  ',
      kind: 'dynamic',
      filter,
    });
    assert.equal(made.statusCode, 201);
    const seg = json(made).data;
    assert.equal(seg.description, 'For the Paris launch', 'kept, trimmed');
    assert.equal(json(await call('GET', `/api/v1/segments/${seg.id}`)).data.description, 'For the Paris launch');
    const renamed = json(await call('PATCH', `/api/v1/segments/${seg.id}`, { description: 'Paris and Lyon' })).data;
    assert.deepEqual([renamed.name, renamed.description, renamed.filter], ['French', 'Paris and Lyon', filter]);
    assert.equal(json(await call('PATCH', `/api/v1/segments/${seg.id}`, { name: 'France' })).data.description, 'Paris and Lyon');
    assert.equal(json(await call('PATCH', `/api/v1/segments/${seg.id}`, { description: '   ' })).data.description, null);
    const listed = json(await call('GET', '/api/v1/segments?limit=500')).data.find((x: { id: string }) => x.id === seg.id);
    assert.equal(listed.description, null);
    const none = json(await call('POST', '/api/v1/segments', { name: 'No words', kind: 'static', filter })).data;
    assert.equal(none.description, null);
    const long = await call('POST', '/api/v1/segments', { name: 'Long', description: 'x'.repeat(2001), kind: 'dynamic', filter });
    assert.equal(long.statusCode, 400);
    assert.equal(json(long).error.code, 'validation_failed');
  });

  it('explain names each condition with its value for a contact', async () => {
    const seg = json(
      await call('POST', '/api/v1/segments', {
        name: 'FR or profiled',
        kind: 'dynamic',
        filter: { or: [{ field: 'country', op: '=', value: 'FR' }, { allowed: 'profiling' }] },
      }),
    ).data;
    const e = json(await call('GET', `/api/v1/segments/${seg.id}/explain?contact=${ids['anna@example.de']}`)).data;
    assert.equal(e.member, false);
    assert.deepEqual(
      e.conditions.map((c: { path: string; value: boolean }) => [c.path, c.value]),
      [
        ['/or/0', false],
        ['/or/1', false],
      ],
    );
    const f = json(await call('GET', `/api/v1/segments/${seg.id}/explain?contact=${ids['chloe@example.fr']}`)).data;
    assert.equal(f.member, true);
    assert.deepEqual(
      f.conditions.map((c: { value: boolean }) => c.value),
      [true, true],
    );
    assert.equal((await call('GET', `/api/v1/segments/${seg.id}/explain?contact=01900000-0000-7000-8000-000000000000`)).statusCode, 404);
  });

  it('a changed filter is validated, and a rename keeps the filter', async () => {
    const seg = json(await call('POST', '/api/v1/segments', { name: 'x', kind: 'dynamic', filter: { consent: { atLeast: 1 } } })).data;
    assert.equal((await call('PATCH', `/api/v1/segments/${seg.id}`, { filter: { field: 'shoe', op: '=', value: 1 } })).statusCode, 400);
    const renamed = json(await call('PATCH', `/api/v1/segments/${seg.id}`, { name: 'Consenting' })).data;
    assert.deepEqual(renamed.filter, { consent: { atLeast: 1 } });
    assert.equal((await call('DELETE', `/api/v1/segments/${seg.id}`)).statusCode, 204);
    assert.equal((await call('GET', `/api/v1/segments/${seg.id}`)).statusCode, 404);
  });

  it('hostile trees get 400 with a code naming the node, never a 500, and write nothing', async () => {
    const deep = (n: number): unknown => (n === 0 ? { consent: { atLeast: 1 } } : { not: deep(n - 1) });
    const named: [unknown, string][] = [
      [{ field: 'password_hash', op: '=', value: 'x' }, '/field'],
      [{ field: 'country', op: 'LIKE', value: '%' }, '/op'],
      [{ field: 'country', op: '=', value: "DE'; drop table contacts; --" }, ''],
      [
        {
          and: [{ consent: { atLeast: 1 } }, { field: 'email', op: 'in', value: Array.from({ length: 5000 }, (_, i) => `${i}@x.example`) }],
        },
        '/and/1/value',
      ],
      [deep(40), '/not/not/not/not/not/not/not/not/not/not/not/not'],
      [{ field: 'consentLevel', op: '>', value: 'NaN' }, '/value'],
      [{ field: 'customFields.__proto__', op: '=', value: 1 }, '/field'],
      [{ field: 'constructor', op: '=', value: 1 }, '/field'],
      [{ behaviour: { type: 'email_clicked', withinDays: -3 } }, '/behaviour/withinDays'],
      [{ list: "' or 1=1 --" }, '/list'],
      [{ allowed: 'everything' }, '/allowed'],
      [{ and: [] }, '/and'],
      [{ or: 'x' }, '/or'],
      [[], ''],
      [null, ''],
      ['{"and":[]}', ''],
      [{ and: [{ consent: { atLeast: 1 } }], or: [] }, ''],
    ];
    const before = await dumpDatabase(ctx.db);
    for (const [filter, path] of named) {
      const res = await call('POST', '/api/v1/segments', { name: 'hostile', kind: 'static', filter });
      if (path === '' && typeof filter === 'object' && filter && 'field' in filter && (filter as unknown as { op: string }).op === '=') {
        // A hostile string is just a value: it compiles to a bound parameter and selects nobody.
        assert.equal(res.statusCode, 201, res.body);
        await call('DELETE', `/api/v1/segments/${json(res).data.id}`);
        continue;
      }
      assert.equal(res.statusCode, 400, `${JSON.stringify(filter).slice(0, 80)}: ${res.body.slice(0, 200)}`);
      const err = json(res).error;
      assert.equal(err.code, 'invalid_filter');
      if (path)
        assert.ok(
          (err.details as { path: string }[]).some((d) => d.path.startsWith(path)),
          `${JSON.stringify(err.details).slice(0, 300)} names ${path}`,
        );
    }
    // Text no database can hold is refused before the filter is read, like in every other field.
    const nul = await call('POST', '/api/v1/segments', {
      name: 'hostile',
      kind: 'static',
      filter: { field: 'country', op: '=', value: 'a\u0000b' },
    });
    assert.deepEqual([nul.statusCode, json(nul).error.code, json(nul).error.details[0].path], [400, 'validation_failed', '/filter/value']);
    const deepJson = '{"name":"x","kind":"dynamic","filter":' + '{"not":'.repeat(50_000) + '{}' + '}'.repeat(50_000) + '}';
    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/v1/segments',
      headers: { ...t.auth('marketer'), 'content-type': 'application/json' },
      payload: deepJson,
    });
    assert.ok(huge.statusCode === 400 || huge.statusCode === 413, `${huge.statusCode}`);
    assert.ok(['invalid_filter', 'invalid_json', 'payload_too_large', 'validation_failed'].includes(json(huge).error.code));
    const after = await dumpDatabase(ctx.db);
    assert.deepEqual(Object.keys(after), Object.keys(before));
    assert.deepEqual(after.segments, before.segments);
    assert.deepEqual(after.contacts, before.contacts);
  });

  it('random JSON never gets a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (filter) => {
        const res = await call('POST', '/api/v1/segments/preview', { filter });
        assert.ok(res.statusCode === 200 || res.statusCode === 400, `${res.statusCode} for ${JSON.stringify(filter).slice(0, 200)}`);
        // Prototype keys (__proto__, constructor.prototype) are refused by the JSON parser itself.
        if (res.statusCode === 400) assert.ok(['invalid_filter', 'invalid_json'].includes(json(res).error.code), res.body);
      }),
      { numRuns: 300 },
    );
  });
});
