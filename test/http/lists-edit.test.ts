import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, type TestApp, testApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('one list, renamed', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown, role = 'marketer' as 'marketer' | 'viewer') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('GET /lists/{listId} gives the list with its member count; an unknown id is 404', async () => {
    const made = json(await call('POST', '/api/v1/lists', { name: 'Newsletter', description: 'Monthly' })).data;
    for (const email of ['a@example.com', 'b@example.com']) {
      const c = json(await call('POST', '/api/v1/contacts', { email })).data;
      assert.equal((await call('PUT', `/api/v1/contacts/${c.id}/lists/${made.id}`, {})).statusCode, 200);
    }
    const r = await call('GET', `/api/v1/lists/${made.id}`, undefined, 'viewer');
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(json(r).data, { ...made, members: 2 });
    const missing = await call('GET', '/api/v1/lists/01938a6f-0d11-7c42-8e5b-3a9d2f6c1b88');
    assert.equal(missing.statusCode, 404);
    assert.equal(json(missing).error.code, 'not_found');
  });

  it('PATCH renames (trimmed) and changes the description; members stay; a name in use is 409 list_exists', async () => {
    const a = json(await call('POST', '/api/v1/lists', { name: 'Offers' })).data;
    await call('POST', '/api/v1/lists', { name: 'Events' });
    const c = json(await call('POST', '/api/v1/contacts', { email: 'c@example.com' })).data;
    await call('PUT', `/api/v1/contacts/${c.id}/lists/${a.id}`, {});

    const renamed = await call('PATCH', `/api/v1/lists/${a.id}`, { name: '  Special offers ', description: 'Twice a year' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.deepEqual(json(renamed).data, { ...a, name: 'Special offers', description: 'Twice a year', members: 1 });
    const kept = await call('PATCH', `/api/v1/lists/${a.id}`, { name: 'Special offers' });
    assert.equal(kept.statusCode, 200, 'its own name is no conflict');
    const cleared = await call('PATCH', `/api/v1/lists/${a.id}`, { description: null });
    assert.equal(json(cleared).data.description, null);
    assert.equal(json(cleared).data.name, 'Special offers');

    const taken = await call('PATCH', `/api/v1/lists/${a.id}`, { name: 'Events' });
    assert.equal(taken.statusCode, 409);
    assert.equal(json(taken).error.code, 'list_exists');
    assert.equal((await call('PATCH', `/api/v1/lists/${a.id}`, { name: '   ' })).statusCode, 400);
    assert.equal((await call('PATCH', `/api/v1/lists/${a.id}`, {})).statusCode, 400, 'an empty change is refused');
    assert.equal((await call('PATCH', `/api/v1/lists/${a.id}`, { name: 'X' }, 'viewer')).statusCode, 403);
    assert.equal((await call('PATCH', '/api/v1/lists/01938a6f-0d11-7c42-8e5b-3a9d2f6c1b88', { name: 'Nowhere' })).statusCode, 404);
    const memberships = json(await call('GET', `/api/v1/contacts/${c.id}/lists`)).data;
    assert.deepEqual(
      memberships.map((m: { name: string }) => m.name),
      ['Special offers'],
    );
  });
});
