import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { sha256 } from '../../src/lib/crypto.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const EXPORT_URL = '/public/v1/exports/00000000-0000-7000-8000-000000000000?token=forged';

forEachDialect('client addresses behind a reverse proxy', (ctx) => {
  let trusting: TestApp;
  let direct: TestApp;
  before(async () => {
    trusting = await testApp(ctx.db, { env: { ASSENT_TRUST_PROXY: '1' } });
    direct = await testApp(ctx.db);
  });
  after(async () => {
    await trusting.close();
    await direct.close();
  });

  /** Download attempts (limit: 30 a minute per client) until refused; the status of each. */
  const attempts = async (t: TestApp, from: string, n: number) => {
    const codes: number[] = [];
    for (let i = 0; i < n; i++)
      codes.push((await t.app.inject({ method: 'GET', url: EXPORT_URL, headers: { 'x-forwarded-for': from } })).statusCode);
    return codes;
  };

  it('with one trusted hop, each forwarded client has its own budget; without, the proxy is the one client', async () => {
    const first = await attempts(trusting, '203.0.113.7', 31);
    assert.equal(first.filter((c) => c === 429).length, 1, 'the 31st attempt from one client is refused');
    assert.notEqual((await attempts(trusting, '198.51.100.9', 1))[0], 429, 'another client behind the proxy is not');
    // Not trusting the header, every request comes from the TCP peer (the test's loopback): one budget for all.
    await ctx.db.kysely.deleteFrom('rate_limits').execute();
    const shared = [...(await attempts(direct, '203.0.113.7', 30)), ...(await attempts(direct, '198.51.100.9', 1))];
    assert.deepEqual([shared.slice(0, 30).includes(429), shared[30]], [false, 429]);
  });

  it('stores counters under a keyed hash: a plain hash of a guessed address matches nothing', async () => {
    const keys = (await ctx.db.kysely.selectFrom('rate_limits').select('key').execute()).map((r) => r.key);
    assert.ok(keys.length > 0);
    for (const subject of ['127.0.0.1', '203.0.113.7', '198.51.100.9']) {
      const plain = [sha256(`export-download:ip\u0000${subject}`), sha256(subject)];
      assert.ok(!keys.some((k) => plain.includes(k)), `a plain hash of ${subject} is stored`);
    }
  });
});

it('ASSENT_TRUST_PROXY takes true, false, a hop count or proxy addresses, and refuses anything else', () => {
  const of = (v: string) => loadConfig({ ASSENT_TRUST_PROXY: v }).trustProxy;
  assert.deepEqual(
    [of('true'), of('false'), of(''), of('2'), of('10.0.0.0/8, 127.0.0.1')],
    [true, false, false, 2, ['10.0.0.0/8', '127.0.0.1']],
  );
  for (const bad of ['yes', '0', '10.0.0.0/8;rm', 'proxy.example'])
    assert.throws(() => of(bad), /ASSENT_TRUST_PROXY|invalid configuration/);
});
