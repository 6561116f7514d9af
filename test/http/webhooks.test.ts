import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { FakeClock } from '../../src/lib/clock.ts';
import { hmac, safeEqual, sha256 } from '../../src/lib/crypto.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { runJobs } from '../helpers/jobs.ts';

const QUEUES = ['events.dispatch', 'webhooks.deliver'];
// The test's receiver listens on loopback, which the installation must allow explicitly.
const LOOPBACK_ALLOWED = { ASSENT_WEBHOOK_ALLOW_HTTP: 'true', ASSENT_WEBHOOK_ALLOW_RANGES: '127.0.0.0/8' };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local receiver: records every request, answers `status()`. */
async function receiver(status: () => number = () => 200): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      res.statusCode = status();
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => new Promise((r) => server.close(() => r())) };
}

/** What a receiver does (docs/webhooks.md): HMAC-SHA256 of `timestamp.body` under the secret, compared in constant time. */
function verifies(secret: string, r: Received): boolean {
  const ts = String(r.headers['assent-timestamp'] ?? '');
  const sig = String(r.headers['assent-signature'] ?? '');
  if (!/^\d+$/.test(ts) || !sig.startsWith('v1=')) return false;
  return safeEqual(sig.slice(3), hmac(secret, `${ts}.${r.body}`));
}

forEachDialect('webhooks over HTTP', (ctx) => {
  let t: TestApp;
  let closed: TestApp;
  const clock = new FakeClock('2026-03-02T10:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock, env: { ...LOOPBACK_ALLOWED, ASSENT_WEBHOOK_DISABLE_AFTER: '3' } });
    // The same installation without the allowance.
    closed = await testApp(ctx.db, { clock });
  });
  after(async () => {
    await t.close();
    await closed.close();
  });
  // Deliveries are not the other tests' business: each test disables the webhooks it made.
  const disableAll = async () => {
    for (const w of await t.services.webhooks.list(500))
      if (w.status === 'active') await t.services.webhooks.update(w.id, { status: 'disabled' });
  };

  const subscribe = (app: TestApp, payload: unknown) =>
    app.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: app.auth('admin'), payload: payload as object });

  it('delivers a signed body a local receiver verifies, with ids and changed field names and no personal value by default', async () => {
    const rx = await receiver();
    try {
      const res = await subscribe(t, { url: rx.url, events: ['contact.created', 'contact.updated', 'consent.changed'] });
      assert.equal(res.statusCode, 201, res.body);
      const hook = json(res).data;
      assert.match(hook.secret, /^whsec_/);
      assert.equal(hook.includePersonalData, false);
      // The secret is shown once: never by a read.
      const read = await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook.id}`, headers: t.auth('admin') });
      assert.equal(read.statusCode, 200);
      assert.equal(json(read).data.secret, undefined);
      assert.ok(!read.body.includes(hook.secret));

      const email = 'zoe.web-hook.7f3a@example.org';
      const c = json(
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/contacts',
          headers: t.auth('admin'),
          payload: { email, firstName: 'Zoë', lastName: 'Hookmann' },
        }),
      ).data;
      await t.services.consent.setLevel(c.id, 3, { source: 'api', actor: { type: 'system', id: null } });
      const up = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/contacts/${c.id}`,
        headers: t.auth('admin'),
        payload: { firstName: 'Zoëlle', company: 'Ÿ Corp' },
      });
      assert.equal(up.statusCode, 200, up.body);
      await runJobs(t.services, QUEUES);

      const types = rx.got.map((r) => JSON.parse(r.body).type).sort();
      assert.deepEqual(types, ['consent.changed', 'contact.created', 'contact.updated']);
      for (const r of rx.got) {
        assert.ok(verifies(hook.secret, r), 'the signature verifies');
        // A body changed in transit does not.
        assert.ok(!verifies(hook.secret, { ...r, body: r.body.replace('"type"', '"typ\\u0065"') }));
        assert.ok(!verifies('whsec_other', r));
        assert.equal(r.headers['assent-webhook-id'], hook.id);
        assert.equal(r.headers['assent-event-type'], JSON.parse(r.body).type);
        assert.equal(r.headers['assent-event-id'], JSON.parse(r.body).id);
        assert.equal(r.headers['content-type'], 'application/json');
        // No personal value: not the address, not the names, not the company.
        for (const value of [email, 'Zoë', 'Zoëlle', 'Hookmann', 'Ÿ Corp', 'example.org'])
          assert.ok(!r.body.includes(value) && !r.body.includes(JSON.stringify(value).slice(1, -1)), `${value} in ${r.body}`);
        assert.equal(JSON.parse(r.body).data.contactId, c.id);
        assert.equal(JSON.parse(r.body).contact, undefined);
      }
      const updated = JSON.parse(rx.got.find((r) => JSON.parse(r.body).type === 'contact.updated')!.body);
      assert.deepEqual(updated.data.fields, ['company', 'firstName']);
      const consent = JSON.parse(rx.got.find((r) => JSON.parse(r.body).type === 'consent.changed')!.body);
      assert.deepEqual(consent.data.fields, ['level']);

      // The delivery log: one success per event, with the receiver's status.
      const log = json(await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook.id}/deliveries`, headers: t.auth('admin') }));
      assert.equal(log.data.length, 3);
      for (const d of log.data) {
        assert.equal(d.status, 'succeeded');
        assert.equal(d.responseStatus, 200);
        assert.equal(d.attempt, 1);
      }
      // A dispatch that runs again enqueues nothing twice (the jobs are keyed).
      const before = rx.got.length;
      await t.services.events.dispatch({ ids: log.data.map((d: { eventId: string }) => d.eventId) });
      await runJobs(t.services, QUEUES);
      assert.equal(rx.got.length, before);
    } finally {
      await disableAll();
      await rx.close();
    }
  });

  it("carries the contact's values only when the webhook is set to include them", async () => {
    const rx = await receiver();
    try {
      const hook = json(await subscribe(t, { url: rx.url, events: ['contact.created'], includePersonalData: true })).data;
      assert.equal(hook.includePersonalData, true);
      const email = 'incl.values.91c@example.org';
      await t.services.contacts.create({ email, firstName: 'Inès' });
      await runJobs(t.services, QUEUES);
      assert.equal(rx.got.length, 1);
      const body = JSON.parse(rx.got[0]!.body);
      assert.equal(body.contact.email, email);
      assert.equal(body.contact.firstName, 'Inès');
      assert.ok(verifies(hook.secret, rx.got[0]!));
    } finally {
      await disableAll();
      await rx.close();
    }
  });

  it('retries a failing receiver with backoff, logs each attempt, then disables the webhook', async () => {
    const rx = await receiver(() => 500);
    try {
      const hook = json(await subscribe(t, { url: rx.url, events: ['contact.created'] })).data;
      await t.services.contacts.create({ email: 'fails.8d1@example.org' });
      await runJobs(t.services, QUEUES);
      assert.equal(rx.got.length, 1);
      // Not before the backoff: nothing is due yet.
      await runJobs(t.services, QUEUES);
      assert.equal(rx.got.length, 1);
      for (let i = 0; i < 6; i++) {
        clock.advance(10 * 60_000);
        await runJobs(t.services, QUEUES);
      }
      // ASSENT_WEBHOOK_DISABLE_AFTER=3: three attempts reached it, then it was disabled and nothing more was sent.
      assert.equal(rx.got.length, 3);
      const w = json(await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook.id}`, headers: t.auth('admin') })).data;
      assert.equal(w.status, 'disabled');
      assert.equal(w.consecutiveFailures, 3);
      assert.ok(w.disabledAt);
      const log = json(await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook.id}/deliveries`, headers: t.auth('admin') })).data;
      assert.deepEqual(
        log.map((d: { attempt: number; status: string; responseStatus: number | null; error: string }) => [
          d.attempt,
          d.status,
          d.responseStatus,
          d.error,
        ]),
        [
          [3, 'failed', 500, 'http_status'],
          [2, 'failed', 500, 'http_status'],
          [1, 'failed', 500, 'http_status'],
        ],
      );
      // A new event for a disabled webhook is not delivered.
      await t.services.contacts.create({ email: 'fails.8d2@example.org' });
      await runJobs(t.services, QUEUES);
      assert.equal(rx.got.length, 3);
      // Re-enabled, it delivers again and its count starts over.
      const re = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/webhooks/${hook.id}`,
        headers: t.auth('admin'),
        payload: { status: 'active' },
      });
      assert.equal(json(re).data.status, 'active');
      assert.equal(json(re).data.consecutiveFailures, 0);
    } finally {
      await disableAll();
      await rx.close();
    }
  });

  it('does not follow a redirect', async () => {
    const rx = await receiver(() => 302);
    try {
      const hook = json(await subscribe(t, { url: rx.url, events: ['contact.created'] })).data;
      await t.services.contacts.create({ email: 'redirect.4e1@example.org' });
      await runJobs(t.services, QUEUES);
      const log = (await t.services.webhooks.deliveries(hook.id, 10))[0]!;
      assert.equal(log.status, 'failed');
      assert.equal(log.error, 'redirect_not_followed');
      assert.equal(rx.got.length, 1);
    } finally {
      await disableAll();
      await rx.close();
    }
  });

  it('refuses, without the allowance, URLs on loopback, private, link-local and metadata addresses, and plain http', async () => {
    const refused = [
      'https://127.0.0.1/hook',
      'https://127.1.2.3:8443/hook',
      'https://localhost/hook',
      'https://LocalHost./hook',
      'https://api.localhost/hook',
      'https://10.0.0.1/hook',
      'https://172.16.5.4/hook',
      'https://192.168.1.1/hook',
      'https://100.64.0.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://0.0.0.0/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00::1]/hook',
      'https://[fe80::1]/hook',
      'https://2130706433/hook', // 127.0.0.1 written as a number
      'https://0x7f.1/hook',
      'http://hooks.example.com/hook',
      'https://user:pass@hooks.example.com/hook',
      'ftp://hooks.example.com/hook',
    ];
    for (const url of refused) {
      const res = await subscribe(closed, { url, events: ['contact.created'] });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(json(res).error.code, 'webhook_target_refused', url);
    }
    // A public https URL is accepted; a URL changed to a refused one is refused too.
    const ok = await subscribe(closed, { url: 'https://hooks.example.com/ok', events: ['contact.created'] });
    assert.equal(ok.statusCode, 201, ok.body);
    const patch = await closed.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${json(ok).data.id}`,
      headers: closed.auth('admin'),
      payload: { url: 'https://169.254.169.254/' },
    });
    assert.equal(json(patch).error.code, 'webhook_target_refused');
    await closed.services.webhooks.update(json(ok).data.id, { status: 'disabled' });
  });

  it('refuses hostile input: unknown or duplicate events, none, oversize or non-URL values, unknown fields', async () => {
    const cases: unknown[] = [
      { url: 'https://hooks.example.com/a', events: [] },
      { url: 'https://hooks.example.com/a', events: ['contact.created', 'contact.created'] },
      { url: 'https://hooks.example.com/a', events: ['contact.exploded'] },
      { url: 'https://hooks.example.com/a', events: [null] },
      { url: `https://hooks.example.com/${'a'.repeat(2100)}`, events: ['contact.created'] },
      { url: 'not a url', events: ['contact.created'] },
      { url: '', events: ['contact.created'] },
      { url: null, events: ['contact.created'] },
      { url: 'https://hooks.example.com/a', events: ['contact.created'], secret: 'mine' },
      { url: 'https://hooks.example.com/a', events: ['contact.created'], description: 'é'.repeat(501) },
    ];
    for (const payload of cases) {
      const res = await subscribe(t, payload);
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)}: ${res.body}`);
    }
    const unknown = json(await subscribe(t, { url: 'https://hooks.example.com/a', events: ['contact.exploded'] }));
    assert.match(unknown.error.details[0].message, /must be one of: .*contact\.created/);
    // A Unicode host (an internationalised domain name) is a URL like any other.
    const idn = await subscribe(t, { url: 'https://hööks.example.com/ä', events: ['import.finished'] });
    assert.equal(idn.statusCode, 201, idn.body);
    await disableAll();
  });

  it('lists the event types the modules declare', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/webhooks/event-types', headers: t.auth('admin') });
    const types = json(res).data as string[];
    for (const e of [
      'contact.created',
      'contact.updated',
      'contact.erased',
      'consent.changed',
      'request.received',
      'request.due_soon',
      'request.fulfilled',
      'import.finished',
    ])
      assert.ok(types.includes(e), e);
  });

  it('an erased contact leaves no id in the event log, and contact.erased carries only its hash', async () => {
    const rx = await receiver();
    try {
      const hook = json(await subscribe(t, { url: rx.url, events: ['contact.created', 'contact.updated', 'contact.erased'] })).data;
      const c = await t.services.contacts.create({ email: 'erase.me.5a0@example.org', firstName: 'Erik' });
      await t.services.contacts.update(c.id, { lastName: 'Löschmann' });
      // Their delivery jobs are queued before the erasure, and find their events gone after it.
      await runJobs(t.services, ['events.dispatch']);
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/contacts/${c.id}/erase`, headers: t.auth('privacy_officer') });
      assert.equal(res.statusCode, 200, res.body);
      // The residue scan looks for the id everywhere, the event log and the queue included.
      assert.deepEqual(json(res).data.residue, []);
      const rows = await sql<{
        n: number;
      }>`select count(*) as n from events where contact_id = ${c.id} or data like ${`%${c.id}%`}`.execute(ctx.db.kysely);
      assert.equal(Number(rows.rows[0]!.n), 0);
      await runJobs(t.services, QUEUES);
      // Delivered before the erasure or not: the erased person's earlier events are gone, so only contact.erased arrives.
      const bodies = rx.got.map((r) => JSON.parse(r.body));
      assert.deepEqual(
        bodies.map((b) => b.type),
        ['contact.erased'],
      );
      assert.equal(bodies[0].data.contactIdSha256, sha256(c.id));
      assert.ok(!rx.got[0]!.body.includes(c.id));
      const log = await t.services.webhooks.deliveries(hook.id, 10);
      assert.deepEqual(log.map((d) => d.status).sort(), ['skipped', 'skipped', 'succeeded']);
      assert.ok(log.filter((d) => d.status === 'skipped').every((d) => d.error === 'event_gone'));
      const all = await sql<{ t: string }>`select event_id as t from webhook_deliveries`.execute(ctx.db.kysely);
      assert.ok(all.rows.every((r) => r.t !== c.id));
    } finally {
      await disableAll();
      await rx.close();
    }
  });
});
