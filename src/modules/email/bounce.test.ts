import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { arfReport, dsnReport } from '../../../test/fixtures/email/dsn.samples.ts';
import { contactAt, counts, plantSend } from '../../../test/fixtures/email/sends.ts';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { BATCH_QUEUE, PREPARE_QUEUE } from './engine.jobs.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { addressFailed, MAX_REPORT_BYTES } from './dsn.parse.ts';
import fc from 'fast-check';

forEachDialect('bounces and complaints', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const post = (body: Buffer | object, role: 'admin' | 'marketer' | 'viewer' = 'marketer', type = 'message/rfc822') =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/bounces',
      headers: { ...t.auth(role), 'content-type': Buffer.isBuffer(body) ? type : 'application/json' },
      payload: Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });

  it("a DSN naming a send's Message-ID makes the address undeliverable, counts the bounce once, and is listed", async () => {
    const email = 'Bounce.Hard@Example.org';
    const c = await contactAt(t, email, 4);
    const s = await plantSend(t, c.id);
    const res = await post(dsnReport({ recipient: 'bounce.hard@example.org', messageId: s.header }));
    assert.equal(res.statusCode, 200, res.body);
    const out = json(res).data;
    assert.equal(out.report, 'delivery-status');
    assert.equal(out.outcomes.length, 1);
    assert.deepEqual(
      { ...out.outcomes[0], id: typeof out.outcomes[0].id },
      {
        id: 'string',
        kind: 'hard',
        status: '5.1.1',
        sendId: s.sendId,
        contactId: c.id,
        effect: 'undeliverable',
      },
    );
    assert.equal(await t.services.bounces.isUndeliverable('someone.else@example.org'), false);
    assert.equal(await t.services.bounces.isUndeliverable('BOUNCE.HARD@example.org'), true);
    assert.deepEqual(await counts(t, s.campaignId!), { 'bounced:5.1.1': 1 });

    // The same report again (a relay retrying, a poller reading twice) changes nothing.
    const again = json(await post(dsnReport({ recipient: 'bounce.hard@example.org', messageId: s.header }))).data;
    assert.equal(again.outcomes[0].effect, 'duplicate');
    assert.deepEqual(await counts(t, s.campaignId!), { 'bounced:5.1.1': 1 });

    const list = json(await t.app.inject({ method: 'GET', url: `/api/v1/bounces?contact=${c.id}`, headers: t.auth('viewer') }));
    assert.equal(list.page.total, 1);
    assert.deepEqual(list.data[0], {
      id: out.outcomes[0].id,
      receivedAt: list.data[0].receivedAt,
      kind: 'hard',
      address: 'Bounce.Hard@example.org',
      contactId: c.id,
      sendId: s.sendId,
      status: '5.1.1',
      source: 'api',
    });
  });

  it('through the sending engine: a DSN for the mail it sent refuses the next send `undeliverable`', async () => {
    const c = await contactAt(t, 'engine.bounce@example.org', 4);
    const { messageId } = await plantSend(t, c.id, { campaign: false });
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/messages/${messageId}/send`,
        headers: t.auth('marketer'),
        payload: { contactId: c.id },
      });
    const first = json(await send()).data.send.id;
    await runJobs(t.services, [PREPARE_QUEUE, BATCH_QUEUE]);
    const sent = await t.services.db.kysely.selectFrom('sends').selectAll().where('id', '=', first).executeTakeFirstOrThrow();
    assert.deepEqual([sent.status, sent.smtp_message_id?.startsWith(`<${first}@`)], ['sent', true]);
    // The report quotes the Message-ID the mail went out with.
    const out = json(await post(dsnReport({ recipient: 'engine.bounce@example.org', messageId: sent.smtp_message_id!.slice(1, -1) }))).data;
    assert.deepEqual([out.outcomes[0].effect, out.outcomes[0].sendId], ['undeliverable', first]);
    const second = json(await send()).data.send.id;
    await runJobs(t.services, [PREPARE_QUEUE, BATCH_QUEUE]);
    const refused = await t.services.db.kysely.selectFrom('sends').selectAll().where('id', '=', second).executeTakeFirstOrThrow();
    assert.deepEqual([refused.status, refused.reason], ['refused', 'undeliverable']);
  });

  it('an ARF complaint lowers the level below marketing with a ledger entry `complaint`, by Message-ID alone', async () => {
    const c = await contactAt(t, 'complainer@example.org', 5);
    const s = await plantSend(t, c.id);
    // JSON with base64, the recipient redacted as large providers do.
    const res = await post({ raw: arfReport({ messageId: s.header }).toString('base64') });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      json(res).data.outcomes.map((o: any) => [o.kind, o.status, o.effect, o.contactId]),
      [['complaint', 'abuse', 'consent_lowered', c.id]],
    );
    const history = await t.services.ledger.history(c.id);
    const last = history.at(-1)!;
    assert.deepEqual([last.kind, last.oldValue, last.newValue, last.source], ['level', 5, 3, 'complaint']);
    assert.deepEqual(await counts(t, s.campaignId!), { 'complained:abuse': 1 });
    const gate = await t.services.consent.check(c.id, 'marketing', { caller: 'campaign' });
    assert.equal(gate.allowed, false);
    // The complaint is not an undeliverable address.
    assert.equal(await t.services.bounces.isUndeliverable('complainer@example.org'), false);
    // Received again: no second entry.
    await post({ raw: arfReport({ messageId: s.header }).toString('base64') });
    assert.equal((await t.services.ledger.history(c.id)).length, history.length);
  });

  it('a complaint about a contact already below marketing leaves the level and adds no entry', async () => {
    const c = await contactAt(t, 'low@example.org', 2);
    const s = await plantSend(t, c.id, { campaign: false });
    const before = (await t.services.ledger.history(c.id)).length;
    const out = json(await post(arfReport({ recipient: 'low@example.org', messageId: s.header }))).data;
    assert.equal(out.outcomes[0].effect, 'consent_lowered');
    const after = await t.services.ledger.history(c.id);
    assert.equal(after.length, before);
    assert.equal(after.at(-1)!.newValue, 2);
  });

  it('a report about a send is about the address it went to, whatever address it names (a forward)', async () => {
    const c = await contactAt(t, 'forwards@example.org', 4);
    const s = await plantSend(t, c.id);
    const out = json(await post(dsnReport({ recipient: 'final.mailbox@elsewhere.example', messageId: s.header }))).data;
    assert.deepEqual([out.outcomes[0].effect, out.outcomes[0].contactId], ['undeliverable', c.id]);
    assert.equal(await t.services.bounces.isUndeliverable('forwards@example.org'), true);
    assert.equal(await t.services.bounces.isUndeliverable('final.mailbox@elsewhere.example'), false);
    const [row] = await t.services.bounces.list({ contactId: c.id }, 1);
    assert.equal(row!.address, 'forwards@example.org', 'the row is the contact’s, erased with it');
  });

  it('a soft bounce is recorded only; a DSN without Message-ID matches the contact by address (API)', async () => {
    const c = await contactAt(t, 'soft@example.org', 4);
    const s = await plantSend(t, c.id);
    const soft = json(await post(dsnReport({ recipient: 'soft@example.org', messageId: s.header, status: '4.2.2' }))).data;
    assert.equal(soft.outcomes[0].effect, 'recorded');
    assert.equal(await t.services.bounces.isUndeliverable('soft@example.org'), false);
    assert.deepEqual(await counts(t, s.campaignId!), {});

    const hard = json(await post(dsnReport({ recipient: 'SOFT@example.org' }))).data;
    assert.deepEqual([hard.outcomes[0].effect, hard.outcomes[0].contactId, hard.outcomes[0].sendId], ['undeliverable', c.id, null]);
    assert.equal(await t.services.bounces.isUndeliverable('soft@example.org'), true);
  });

  it('an address no contact holds is still made undeliverable; feedback that is no complaint changes nothing', async () => {
    const out = json(await post(dsnReport({ recipient: 'nobody.known@example.org' }))).data;
    assert.deepEqual([out.outcomes[0].effect, out.outcomes[0].contactId], ['undeliverable', null]);
    const c = await contactAt(t, 'notspam@example.org', 4);
    const s = await plantSend(t, c.id);
    const ns = json(await post(arfReport({ recipient: 'notspam@example.org', messageId: s.header, feedbackType: 'not-spam' }))).data;
    assert.deepEqual(ns.outcomes, []);
    assert.equal((await t.services.ledger.history(c.id)).at(-1)!.newValue, 4);
  });

  // RFC 3463: only a failure of the address stops later mail; a permanent failure of that
  // message (a policy block, a full mailbox) is counted as bounced and kept, nothing more.
  const STATUSES: [status: string, effect: 'undeliverable' | 'recorded', kind: 'hard' | 'soft'][] = [
    ['5.1.1', 'undeliverable', 'hard'],
    ['5.1.0', 'undeliverable', 'hard'],
    ['5.1.2', 'undeliverable', 'hard'],
    ['5.1.3', 'undeliverable', 'hard'],
    ['5.1.6', 'undeliverable', 'hard'],
    ['5.1.10', 'undeliverable', 'hard'],
    ['5.2.1', 'undeliverable', 'hard'],
    ['5.4.4', 'undeliverable', 'hard'],
    ['5.1.7', 'recorded', 'hard'],
    ['5.1.8', 'recorded', 'hard'],
    ['5.2.2', 'recorded', 'hard'],
    ['5.2.3', 'recorded', 'hard'],
    ['5.2.0', 'recorded', 'hard'],
    ['5.3.4', 'recorded', 'hard'],
    ['5.4.1', 'recorded', 'hard'],
    ['5.5.0', 'recorded', 'hard'],
    ['5.6.0', 'recorded', 'hard'],
    ['5.7.1', 'recorded', 'hard'],
    ['5.7.26', 'recorded', 'hard'],
    ['5.0.0', 'recorded', 'hard'],
    ['4.1.1', 'recorded', 'soft'],
    ['4.4.4', 'recorded', 'soft'],
  ];

  it('only a hard bounce that says the address failed makes it undeliverable; others are counted and kept', async () => {
    for (const [status, effect, kind] of STATUSES) {
      const email = `status.${status.replace(/\./g, '-')}@example.org`;
      const c = await contactAt(t, email, 4);
      const s = await plantSend(t, c.id);
      const out = json(await post(dsnReport({ recipient: email, messageId: s.header, status }))).data;
      assert.deepEqual([out.outcomes[0].kind, out.outcomes[0].status, out.outcomes[0].effect], [kind, status, effect], status);
      assert.equal(await t.services.bounces.isUndeliverable(email), effect === 'undeliverable', status);
      // Every permanent failure counts for the campaign, whether or not the address failed.
      assert.deepEqual(await counts(t, s.campaignId!), kind === 'hard' ? { [`bounced:${status}`]: 1 } : {}, status);
      const [row] = await t.services.bounces.list({ contactId: c.id }, 1);
      assert.deepEqual([row!.kind, row!.status], [kind, status], 'recorded either way');
    }
  });

  it('whatever the Status field holds, an address is made undeliverable only by a status that says it failed', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^[0-9.]{1,9}$/)), async (status) => {
        const email = `garbage.${i++}.${Date.now()}@example.org`;
        const res = await post(dsnReport({ recipient: email, status }));
        assert.ok(res.statusCode === 200 || res.statusCode === 422, res.body);
        if (res.statusCode !== 200) return;
        for (const o of json(res).data.outcomes) {
          if (o.effect !== 'undeliverable') continue;
          assert.ok(addressFailed(o.status), o.status);
        }
        // Only a status field that starts like 5.1.x, 5.2.1 or 5.4.4 can name a failed address.
        const garbage = !/^\s*5\.0*1\.\d|^\s*5\.0*2\.0*1(?!\d)|^\s*5\.0*4\.0*4(?!\d)/.test(status);
        if (garbage) assert.equal(await t.services.bounces.isUndeliverable(email), false, JSON.stringify(status));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses what it cannot read: 422 with a reason, 413 past 1 MiB, 415 another type, 400 bad base64, 403 for a viewer', async () => {
    const bad = await post(Buffer.from('Subject: hi\r\n\r\nnot a report\r\n'));
    assert.equal(bad.statusCode, 422);
    assert.deepEqual([json(bad).error.code, json(bad).error.details.reason], ['report_invalid', 'not_a_report']);
    const big = await post(Buffer.alloc(MAX_REPORT_BYTES + 1, 0x61));
    assert.equal(big.statusCode, 413, big.body);
    assert.equal(json(big).error.code, 'payload_too_large');
    const bigJson = await post({ raw: Buffer.alloc(MAX_REPORT_BYTES + 1, 0x61).toString('base64') });
    assert.equal(bigJson.statusCode, 413, bigJson.body);
    assert.equal((await post(Buffer.from('x'), 'marketer', 'text/plain')).statusCode, 415);
    const notB64 = await post({ raw: 'not base64 at all!' });
    assert.equal(notB64.statusCode, 400);
    assert.equal(json(notB64).error.code, 'validation_failed');
    assert.equal((await post(dsnReport({ recipient: 'x@example.org' }), 'viewer')).statusCode, 403);
    // A NUL in a field the parser keeps is never stored (PostgreSQL could not).
    const nul = dsnReport({ recipient: 'nul@example.org', messageId: 'a\u0000b@x' });
    assert.equal((await post(nul)).statusCode, 200);
  });

  it('settings: consentReceipts and bounceInbound are off by default, shown, and checked', async () => {
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: t.auth('admin'), payload });
    const shown = json(await t.app.inject({ method: 'GET', url: '/api/v1/settings', headers: t.auth('admin') })).data;
    assert.deepEqual([shown.consentReceipts, shown.bounceInbound], [false, null]);
    for (const bad of [{ consentReceipts: 'yes' }, { bounceInbound: { port: 70000, host: '127.0.0.1' } }, { bounceInbound: { port: 25 } }])
      assert.equal((await patch(bad)).statusCode, 400, JSON.stringify(bad));
    const set = json(await patch({ bounceInbound: { port: 2525, host: '127.0.0.1' } })).data;
    assert.deepEqual(set.bounceInbound, { port: 2525, host: '127.0.0.1' });
    assert.equal(json(await patch({ bounceInbound: null })).data.bounceInbound, null);
  });

  it('lists newest first, by kind, page by page', async () => {
    const all = json(await t.app.inject({ method: 'GET', url: '/api/v1/bounces?limit=500', headers: t.auth('viewer') }));
    const ids = all.data.map((b: any) => b.id);
    assert.deepEqual(ids, [...ids].sort().reverse());
    const first = json(await t.app.inject({ method: 'GET', url: '/api/v1/bounces?limit=2', headers: t.auth('viewer') }));
    const second = json(
      await t.app.inject({ method: 'GET', url: `/api/v1/bounces?limit=2&cursor=${first.page.next}`, headers: t.auth('viewer') }),
    );
    assert.deepEqual(
      [...first.data, ...second.data].map((b: any) => b.id),
      ids.slice(0, 4),
    );
    const hard = json(await t.app.inject({ method: 'GET', url: '/api/v1/bounces?kind=complaint', headers: t.auth('viewer') }));
    assert.ok(hard.data.length >= 1 && hard.data.every((b: any) => b.kind === 'complaint'));
    assert.equal(hard.page.total, hard.data.length);
  });
});
