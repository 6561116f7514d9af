import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('consent vocabulary for every role that reads consent', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  it('gives the installation’s own level names, purposes and switch to a marketer, who may not read the settings', async () => {
    const levels = (await t.services.settings.view()).consentLevels.map((l) => (l.level === 3 ? { ...l, name: 'Nachrichten' } : l));
    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: t.auth('admin'),
      payload: {
        consentLevels: levels,
        dataProtectionEnabled: false,
        purposes: { ...(await t.services.settings.view()).purposes, surveys: 4 },
      },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    for (const role of ['marketer', 'viewer', 'privacy_officer', 'admin'] as const) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/settings/consent-levels', headers: t.auth(role) });
      assert.equal(res.statusCode, 200, `${role}: ${res.body}`);
      const d = json(res).data;
      assert.equal(d.consentLevels.find((l: { level: number }) => l.level === 3).name, 'Nachrichten');
      assert.equal(d.purposes.surveys, 4);
      assert.equal(d.dataProtectionEnabled, false);
      assert.deepEqual(Object.keys(d).sort(), ['consentLevels', 'dataProtectionEnabled', 'purposes'], 'nothing else of the settings');
    }
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/settings', headers: t.auth('marketer') })).statusCode, 403);
  });
});
