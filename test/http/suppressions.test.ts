import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('erasure and suppressions over HTTP', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const create = (email: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: t.auth('admin'),
      payload: { email, firstName: 'Quirin', lastName: 'Vergessmann' },
    });
  const lift = (email: string, role: 'admin' | 'privacy_officer') =>
    t.app.inject({ method: 'DELETE', url: `/api/v1/suppressions?email=${encodeURIComponent(email)}`, headers: t.auth(role) });

  it('erases a contact with a receipt, refuses the address afterwards, and lets an admin lift that', async () => {
    const email = 'quirin.v.2b9c@example.net';
    const c = json(await create(email)).data;
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/contacts/${c.id}/erase`, headers: t.auth('privacy_officer') });
    assert.equal(res.statusCode, 200, res.body);
    const receipt = json(res).data;
    assert.equal(receipt.tables.contacts, 1);
    assert.deepEqual(receipt.residue, []);
    assert.equal(receipt.actor.type, 'api_key');
    assert.doesNotMatch(res.body, /quirin|vergessmann/i);

    const again = await t.app.inject({ method: 'GET', url: `/api/v1/erasures/${receipt.id}`, headers: t.auth('viewer') });
    // The erase answer is the receipt plus the tasks it left (none here).
    const { tasks, ...stored } = receipt;
    assert.deepEqual(tasks, []);
    assert.equal(receipt.complete, true);
    assert.deepEqual(json(again).data, stored);
    const list = json(await t.app.inject({ method: 'GET', url: '/api/v1/erasures', headers: t.auth('privacy_officer') }));
    assert.ok(list.data.some((r: { id: string }) => r.id === receipt.id));
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${c.id}`, headers: t.auth('admin') })).statusCode, 404);

    const refused = await create(email.replace('example.net', 'Example.NET'));
    assert.equal(refused.statusCode, 409);
    assert.equal(json(refused).error.code, 'suppressed');

    assert.equal((await lift(email, 'privacy_officer')).statusCode, 403, 'only an admin lifts a suppression');
    assert.equal((await lift(email, 'admin')).statusCode, 204);
    const gone = await lift(email, 'admin');
    assert.equal(gone.statusCode, 404);
    assert.equal(json(gone).error.code, 'not_found');
    assert.equal((await create(email)).statusCode, 201);
  });

  it('DELETE /contacts/{id} is the same erasure: receipt written, address suppressed', async () => {
    const email = 'deleted.7c1d@example.net';
    const c = json(await create(email)).data;
    const before = json(await t.app.inject({ method: 'GET', url: '/api/v1/erasures?limit=500', headers: t.auth('admin') })).data.length;
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${c.id}`, headers: t.auth('admin') })).statusCode, 204);
    const receipts = json(await t.app.inject({ method: 'GET', url: '/api/v1/erasures?limit=500', headers: t.auth('admin') })).data;
    assert.equal(receipts.length, before + 1);
    assert.equal(receipts[0].tables.contacts, 1);
    assert.equal(json(await create(email)).error.code, 'suppressed');
  });

  it('an import rejects a suppressed address by its row, saying it is suppressed, and imports the rest', async () => {
    const email = 'imported.once.4e2a@example.net';
    await t.services.erasure.erase({ emails: [email] }, { actor: { type: 'system', id: null } });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
      payload: `email,firstName\nfresh.9a0b@example.net,Fresh\n${email},Back\n`,
    });
    assert.equal(res.statusCode, 200, res.body);
    const r = json(res).data;
    assert.equal(r.created, 1);
    assert.equal(r.rejected.length, 1);
    assert.equal(r.rejected[0].line, 3);
    assert.match(r.rejected[0].reason, /suppressed/);
  });

  it('with suppression switched off in the settings, an erased address may come back', async () => {
    const patch = (on: boolean) =>
      t.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: t.auth('admin'), payload: { suppressErasedAddresses: on } });
    assert.equal((await patch(false)).statusCode, 200);
    try {
      const email = 'unsuppressed.1f3e@example.net';
      const c = json(await create(email)).data;
      assert.equal(
        (await t.app.inject({ method: 'POST', url: `/api/v1/contacts/${c.id}/erase`, headers: t.auth('admin') })).statusCode,
        200,
      );
      assert.equal((await create(email)).statusCode, 201);
    } finally {
      await patch(true);
    }
  });
});
