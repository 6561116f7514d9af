// Values from input that land where no erasure reaches (issue 9, point 5a, the whole class):
// request ids kept in the audit log and the logs, references kept in the anonymous counters.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../src/lib/clock.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('input that anonymous tables keep', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-04-03T10:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  it(
    'a request id that could carry a phone or customer number is replaced before it reaches the audit log; hex ids and short numbers ' +
      'are kept',
    async () => {
      const ask = (id: string) =>
        t.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { ...t.auth('marketer'), 'x-request-id': id } });
      for (const id of ['user.4915123456789', 'call-0151-2345-6789', 'order:12345678:retry']) {
        const res = await ask(id);
        assert.equal(res.statusCode, 200);
        assert.notEqual(res.headers['x-request-id'], id, id);
        const audit = json(await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=200', headers: t.auth('admin') })).data as {
          requestId: string | null;
        }[];
        assert.ok(!audit.some((e) => (e.requestId ?? '').replace(/\D/g, '').includes(id.replace(/\D/g, ''))), id);
      }
      for (const id of ['0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', '9f86d081884c7d659a2feaa0c55ad015', 'import-req-0042'])
        assert.equal((await ask(id)).headers['x-request-id'], id);
    },
  );

  it('the stats API, asked with a URL holding an address, answers with the reference it was counted under', async () => {
    const c = await t.services.contacts.create({ email: 'stats.person@example.org' });
    await t.services.interactions.ingest([
      { type: 'page_visited', contactId: c.id, url: 'https://shop.example/u/stats.person@example.org' },
    ]);
    const res = await t.app.inject({
      method: 'GET',
      url:
        `/api/v1/stats/interactions?from=2026-04-03&to=2026-04-03&type=page_visited&` +
        `ref=${encodeURIComponent('https://shop.example/u/stats.person@example.org')}`,
      headers: t.auth('viewer'),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data, [{ day: '2026-04-03', type: 'page_visited', ref: 'https://shop.example/u/:email', count: 1 }]);
    assert.ok(!res.body.includes('stats.person'));
  });
});
