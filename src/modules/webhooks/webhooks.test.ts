import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { systemClock } from '../../lib/clock.ts';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { WebhooksService } from './webhooks.service.ts';
import { type Resolver, TargetGuard } from './webhooks.target.ts';

/** A receiver on loopback: counts requests; `behave` decides the answer. */
async function receiver(behave: (res: import('node:http').ServerResponse) => void) {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits++;
      behave(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// Names no DNS server knows: only the test's resolver answers them, so a connection that reaches
// the receiver went to the address the guard checked, not to a second lookup.
const resolverTo =
  (address: string): Resolver =>
  async () => [{ address, family: address.includes(':') ? 6 : 4 }];

forEachDialect('webhook targets at delivery time', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const service = (guard: TargetGuard, timeoutMs = 2000) =>
    new WebhooksService(ctx.db, systemClock, t.services.jobs, t.services.events, t.services.contacts, guard, {
      disableAfter: 100,
      timeoutMs,
    });
  const anEvent = async () => {
    const c = await t.services.contacts.create({ email: `target${Date.now()}${Math.random()}@example.com`.replace('0.', '') });
    const rows = await ctx.db.kysely.selectFrom('events').select('id').where('contact_id', '=', c.id).execute();
    return rows[0]!.id;
  };

  it('refuses a name that resolves to a loopback, private, link-local or metadata address, and connects nowhere', async () => {
    const rx = await receiver((res) => res.end('ok'));
    try {
      for (const address of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '192.168.0.7', '::1', 'fd12::1', '::ffff:127.0.0.1']) {
        // Saved: the name is not literal, so it passes the check at save.
        const s = service(new TargetGuard({ allowHttp: true, allowRanges: [] }, resolverTo(address)));
        const hook = await s.create({ url: `http://internal.assent-test.invalid:${rx.port}/hook`, events: ['contact.created'] });
        await assert.rejects(s.deliver({ webhookId: hook.id, eventId: await anEvent() }, { attempts: 1 }), /webhook_target_refused/);
        const [d] = await s.deliveries(hook.id, 1);
        assert.equal(d!.status, 'failed', address);
        assert.equal(d!.error, 'webhook_target_refused', address);
        await s.remove(hook.id);
      }
      // A name that resolves to a public address and a private one is refused as well.
      const mixed: Resolver = async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ];
      const s = service(new TargetGuard({ allowHttp: true, allowRanges: [] }, mixed));
      const hook = await s.create({ url: `http://mixed.assent-test.invalid:${rx.port}/hook`, events: ['contact.created'] });
      await assert.rejects(s.deliver({ webhookId: hook.id, eventId: await anEvent() }, { attempts: 1 }), /webhook_target_refused/);
      await s.remove(hook.id);
      assert.equal(rx.hits(), 0);
    } finally {
      await rx.close();
    }
  });

  it('with the range allowed, connects to the address it checked (the name is not looked up again)', async () => {
    const rx = await receiver((res) => res.end('ok'));
    try {
      const s = service(new TargetGuard({ allowHttp: true, allowRanges: ['127.0.0.0/8'] }, resolverTo('127.0.0.1')));
      const hook = await s.create({ url: `http://pinned.assent-test.invalid:${rx.port}/hook`, events: ['contact.created'] });
      await s.deliver({ webhookId: hook.id, eventId: await anEvent() }, { attempts: 1 });
      assert.equal(rx.hits(), 1);
      assert.equal((await s.deliveries(hook.id, 1))[0]!.status, 'succeeded');
      await s.remove(hook.id);
    } finally {
      await rx.close();
    }
  });

  it('cuts a receiver that answers too much or too late', async () => {
    const big = await receiver((res) => res.end('x'.repeat(1024 * 1024)));
    const slow = await receiver((res) => setTimeout(() => res.end('late'), 3000).unref());
    try {
      const guard = new TargetGuard({ allowHttp: true, allowRanges: ['127.0.0.0/8'] });
      const s = service(guard, 300);
      for (const [rx, code] of [
        [big, 'response_too_large'],
        [slow, 'timeout'],
      ] as const) {
        const hook = await s.create({ url: `http://127.0.0.1:${rx.port}/hook`, events: ['contact.created'] });
        const started = Date.now();
        await assert.rejects(s.deliver({ webhookId: hook.id, eventId: await anEvent() }, { attempts: 1 }));
        assert.ok(Date.now() - started < 2500, 'the deadline holds');
        assert.equal((await s.deliveries(hook.id, 1))[0]!.error, code);
        await s.remove(hook.id);
      }
    } finally {
      await big.close();
      await slow.close();
    }
  });

  it('is the admin’s alone: every other role is refused reading and writing webhooks', async () => {
    for (const role of ['marketer', 'privacy_officer', 'viewer'] as const) {
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: t.auth(role) });
      assert.equal(list.statusCode, 403, role);
      const make = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: t.auth(role),
        payload: { url: 'https://hooks.example.com/x', events: ['contact.created'] },
      });
      assert.equal(json(make).error.code, 'forbidden', role);
    }
  });
});
