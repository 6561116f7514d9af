import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/snapshot.ts';

forEachDialect('contacts API', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    role: 'admin' | 'marketer' | 'viewer' | 'privacy_officer' = 'marketer',
  ) => t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('creates with a normalised email, reads it back, and refuses a duplicate with 409', async () => {
    // A birth date decides consent (it can make a child): a role with consent write access sets it.
    const res = await call(
      'POST',
      '/api/v1/contacts',
      {
        email: '  Zoë.Ünicode@Example.COM ',
        firstName: 'Zoë',
        lastName: "O'Brien",
        country: 'IE',
        language: 'ga',
        birthDate: '1990-02-28',
      },
      'privacy_officer',
    );
    assert.equal(res.statusCode, 201, res.body);
    const c = json(res).data;
    assert.equal(c.email, 'Zoë.Ünicode@example.com');
    assert.equal(c.consentLevel, 0);
    assert.equal(c.isChild, false);
    assert.deepEqual(c.customFields, {});
    const dup = await call('POST', '/api/v1/contacts', { email: 'Zoë.Ünicode@EXAMPLE.com' });
    assert.equal(dup.statusCode, 409);
    assert.equal(json(dup).error.code, 'contact_exists');
    const found = json(await call('GET', `/api/v1/contacts?email=${encodeURIComponent(' Zoë.Ünicode@EXAMPLE.COM')}`));
    assert.deepEqual(
      found.data.map((x: { id: string }) => x.id),
      [c.id],
    );
    assert.equal(json(await call('GET', `/api/v1/contacts/${c.id}`, undefined, 'viewer')).data.lastName, "O'Brien");
  });

  it('reports every invalid field at once and writes nothing', async () => {
    const before = await dumpDatabase(ctx.db);
    const res = await call(
      'POST',
      '/api/v1/contacts',
      {
        email: 'not-an-email',
        phone: 'call me',
        country: 'd3',
        language: 'EN_us',
        birthDate: '2031-02-30',
        guardianId: '01900000-0000-7000-8000-00000000dead',
      },
      'privacy_officer',
    );
    assert.equal(res.statusCode, 400);
    const paths = (json(res).error.details as { path: string }[]).map((d) => d.path).sort();
    assert.deepEqual(paths, ['/birthDate', '/country', '/email', '/guardianId', '/language', '/phone']);
    const wrongType = await call('POST', '/api/v1/contacts', { email: 'a@example.com', isChild: 'yes' });
    assert.equal(json(wrongType).error.code, 'validation_failed');
    const readOnly = await call('POST', '/api/v1/contacts', { email: 'a@example.com', consentLevel: 5 });
    assert.equal(readOnly.statusCode, 400, 'consentLevel is not writable here');
    assert.deepEqual(await dumpDatabase(ctx.db), before);
  });

  it('updates, pages through a filtered list, and deletes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(json(await call('POST', '/api/v1/contacts', { email: `page${i}@example.com`, country: 'NL' })).data.id);
    const patched = await call('PATCH', `/api/v1/contacts/${ids[0]}`, { firstName: 'Daan', country: null });
    assert.equal(patched.statusCode, 200);
    assert.equal(json(patched).data.country, null);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; page: { next: string | null } } = json(
        await call('GET', `/api/v1/contacts?country=NL&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      seen.push(...page.data.map((x: { id: string }) => x.id));
      cursor = page.page.next;
    } while (cursor);
    assert.deepEqual(seen, ids.slice(1));
    const del = await call('DELETE', `/api/v1/contacts/${ids[1]}`, undefined, 'privacy_officer');
    assert.equal(del.statusCode, 204);
    assert.equal((await call('GET', `/api/v1/contacts/${ids[1]}`)).statusCode, 404);
    assert.equal((await call('DELETE', `/api/v1/contacts/${ids[2]}`)).statusCode, 403, 'a marketer cannot delete');
  });

  it('custom fields are typed columns declared in the data map', async () => {
    const def = await call('POST', '/api/v1/contact-fields', { name: 'shoe_size', type: 'number', personal: false, label: 'Shoe size' });
    assert.equal(def.statusCode, 201, def.body);
    await call('POST', '/api/v1/contact-fields', { name: 'loyalty_tier', type: 'text', personal: true });
    assert.equal((await call('POST', '/api/v1/contact-fields', { name: 'shoe_size', type: 'text', personal: false })).statusCode, 409);
    assert.equal((await call('POST', '/api/v1/contact-fields', { name: 'Bad Name', type: 'text', personal: false })).statusCode, 400);
    const c = await call('POST', '/api/v1/contacts', {
      email: 'fields@example.com',
      customFields: { shoe_size: 42.5, loyalty_tier: 'gold ★' },
    });
    assert.equal(c.statusCode, 201, c.body);
    assert.deepEqual(json(c).data.customFields, { loyalty_tier: 'gold ★', shoe_size: 42.5 });
    const bad = await call('POST', '/api/v1/contacts', { email: 'fields2@example.com', customFields: { shoe_size: 'big', nope: 1 } });
    assert.deepEqual((json(bad).error.details as { path: string }[]).map((d) => d.path).sort(), [
      '/customFields/nope',
      '/customFields/shoe_size',
    ]);
    const map = json(await call('GET', '/api/v1/datamap', undefined, 'admin')).data;
    const contacts = map.tables.find((x: { name: string }) => x.name === 'contacts');
    const cols = Object.fromEntries(contacts.columns.map((x: { name: string; personal: boolean; erase: string }) => [x.name, x]));
    assert.equal(cols.cf_shoe_size.personal, false);
    assert.equal(cols.cf_loyalty_tier.personal, true);
    assert.equal(cols.cf_loyalty_tier.erase, 'delete-row');
    const drift = await t.services.datamap.drift();
    assert.deepEqual(drift, { undeclared: [], absent: [] });
  });

  it('a guardian must exist, be someone else and be an adult; a birth date can make a child', async () => {
    const parent = json(await call('POST', '/api/v1/contacts', { email: 'parent@example.com' })).data;
    const kid = await call(
      'POST',
      '/api/v1/contacts',
      {
        email: 'kid@example.com',
        birthDate: new Date(Date.now() - 10 * 365 * 86400_000).toISOString().slice(0, 10),
        guardianId: parent.id,
      },
      'privacy_officer',
    );
    assert.equal(kid.statusCode, 201, kid.body);
    assert.equal(json(kid).data.isChild, true);
    const kid2 = await call('POST', '/api/v1/contacts', { email: 'kid2@example.com', guardianId: json(kid).data.id }, 'privacy_officer');
    assert.equal(kid2.statusCode, 400, 'a child cannot be a guardian');
    const self = await call('PATCH', `/api/v1/contacts/${parent.id}`, { guardianId: parent.id }, 'privacy_officer');
    assert.equal(self.statusCode, 400);
  });
});
