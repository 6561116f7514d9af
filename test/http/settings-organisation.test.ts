import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('settings: the organisation public pages and the product’s own mail name', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const patch = (payload: Record<string, unknown>, role: 'admin' | 'privacy_officer' | 'marketer' = 'admin') =>
    t.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: t.auth(role), payload });
  const read = async () =>
    json(await t.app.inject({ method: 'GET', url: '/api/v1/settings', headers: t.auth('viewer') })).data.organisation;

  const full = {
    name: 'Ünïcödé Läden & Co. <KG>',
    postalAddress: 'Hauptstraße 1\n10115 Berlin',
    contactEmail: 'privacy@example.com',
    privacyNoticeUrl: 'https://example.com/privacy',
    dpo: { name: 'Dana Officer', email: 'dpo@example.com' },
    supervisoryAuthority: { name: 'Supervisory Authority', url: 'https://authority.example/' },
  };

  it('starts as a placeholder with nothing else named, and keeps what an admin sets, as given', async () => {
    assert.deepEqual(await read(), {
      name: 'Our organisation',
      postalAddress: null,
      contactEmail: null,
      privacyNoticeUrl: null,
      dpo: null,
      supervisoryAuthority: null,
    });
    const res = await patch({ organisation: full });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await read(), full);
  });

  it('refuses a bad address, link or missing name, field by field, and keeps what was there', async () => {
    const before = await read();
    for (const [bad, path] of [
      [{ ...full, contactEmail: 'not an address' }, '/organisation/contactEmail'],
      [{ ...full, privacyNoticeUrl: 'javascript:alert(1)' }, '/organisation/privacyNoticeUrl'],
      [{ ...full, name: '' }, '/organisation/name'],
      [{ ...full, dpo: { name: 'x', email: 'nope' } }, '/organisation/dpo'],
      [{ ...full, extra: 1 }, '/organisation'],
    ] as const) {
      const res = await patch({ organisation: bad });
      assert.equal(res.statusCode, 400, `${path}: ${res.body}`);
      assert.ok(
        json(res).error.details.some((d: { path: string }) => d.path.startsWith(path)),
        `${path}: ${JSON.stringify(json(res).error.details)}`,
      );
    }
    assert.deepEqual(await read(), before);
  });
});
