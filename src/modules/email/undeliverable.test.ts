import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { dsnReport } from '../../../test/fixtures/email/dsn.samples.ts';
import { contactAt } from '../../../test/fixtures/email/sends.ts';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink.ts';
import { newId } from '../../lib/ids.ts';
import { BATCH_QUEUE, PREPARE_QUEUE } from './engine.jobs.ts';

type Role = 'admin' | 'marketer' | 'viewer' | 'privacy_officer';

forEachDialect('undeliverable addresses, listed and cleared', (ctx) => {
  let t: TestApp;
  let relay: SmtpSink;
  before(async () => {
    relay = await startSmtpSink();
    t = await testApp(ctx.db);
    await t.services.settings.patch({ smtp: relay.relay(), publicBaseUrl: 'https://mail.example.com/' });
  });
  after(async () => {
    await t.close();
    await relay.close();
  });

  const bounce = async (recipient: string, status = '5.1.1', messageId?: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bounces',
      headers: { ...t.auth('marketer'), 'content-type': 'message/rfc822' },
      payload: dsnReport({ recipient, status, ...(messageId ? { messageId } : {}) }),
    });
    assert.equal(res.statusCode, 200, res.body);
    return json(res).data.outcomes[0] as { id: string; effect: string };
  };
  const list = async (query = '', role: Role = 'viewer') => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/undeliverable${query}`, headers: t.auth(role) });
    assert.equal(res.statusCode, 200, res.body);
    return json(res);
  };
  const clear = (email: string, role: Role = 'marketer') =>
    t.app.inject({ method: 'POST', url: '/api/v1/undeliverable/clear', headers: t.auth(role), payload: { email } });

  it('lists each address with the bounce that caused it, newest first, found by any-case text, page by page', async () => {
    const tag = newId().slice(-8);
    const first = await bounce(`Una.${tag}@example.org`, '5.1.1');
    const second = await bounce(`dos.${tag}@example.org`, '5.2.1');
    const third = await bounce(`tres.${tag}@Example.ORG`, '5.4.4');
    // A policy block is not the address's failure: not listed.
    assert.equal((await bounce(`blocked.${tag}@example.org`, '5.7.1')).effect, 'recorded');

    const found = await list(`?q=${tag.toUpperCase()}`);
    assert.deepEqual(found.data, [
      { address: `tres.${tag}@example.org`, since: found.data[0].since, bounceId: third.id, status: '5.4.4' },
      { address: `dos.${tag}@example.org`, since: found.data[1].since, bounceId: second.id, status: '5.2.1' },
      { address: `Una.${tag}@example.org`, since: found.data[2].since, bounceId: first.id, status: '5.1.1' },
    ]);
    assert.deepEqual(found.page, { next: null, total: 3, totalIsEstimate: false });
    assert.deepEqual(
      (await list(`?q=una.${tag}`)).data.map((r: { bounceId: string }) => r.bounceId),
      [first.id],
    );
    // LIKE's own characters are text to find, not patterns.
    assert.equal((await list(`?q=${encodeURIComponent(`%${tag}`)}`)).page.total, 0);
    assert.equal((await list(`?q=_${tag}`)).page.total, 0);

    const one = await list(`?q=${tag}&limit=2`);
    assert.equal(one.data.length, 2);
    const two = await list(`?q=${tag}&limit=2&cursor=${one.page.next}`);
    assert.deepEqual(
      [...one.data, ...two.data].map((r: { bounceId: string }) => r.bounceId),
      [third.id, second.id, first.id],
    );
    assert.equal(two.page.next, null);
  });

  it(
    'clearing takes the address off the list, answers the same shape ' + 'when it was not there, and audits the bounce, not the address',
    async () => {
      const address = `clear.${newId().slice(-8)}@example.org`;
      const b = await bounce(address);
      const res = await clear(address.toUpperCase());
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res), { data: { cleared: true } });
      assert.equal(await t.services.bounces.isUndeliverable(address), false);
      assert.equal((await list(`?q=${encodeURIComponent(address)}`)).page.total, 0);
      // The bounce record stays.
      assert.equal(
        (await t.services.bounces.list({ kind: 'hard' }, 500)).some((r) => r.id === b.id),
        true,
      );

      for (const email of [address, 'never.listed@example.org', 'not an address']) {
        const again = await clear(email);
        assert.equal(again.statusCode, 200, again.body);
        assert.deepEqual(json(again), { data: { cleared: false } });
      }

      const audit = await ctx.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'undeliverable.clear')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        audit.slice(-4).map((a) => [a.target_type, a.target_id, a.outcome]),
        [
          ['bounce', b.id, 'ok'],
          ['bounce', null, 'ok'],
          ['bounce', null, 'ok'],
          ['bounce', null, 'ok'],
        ],
      );
      assert.ok(!JSON.stringify(audit).includes('clear.'), 'no address in the audit log');
    },
  );

  it('viewers and privacy officers list but may not clear; marketers and admins clear', async () => {
    for (const role of ['viewer', 'privacy_officer', 'marketer', 'admin'] as const) {
      const address = `role.${role}.${newId().slice(-8)}@example.org`;
      await bounce(address);
      assert.equal((await list(`?q=${encodeURIComponent(address)}`, role)).page.total, 1, role);
      const res = await clear(address, role);
      const writes = role === 'marketer' || role === 'admin';
      assert.equal(res.statusCode, writes ? 200 : 403, `${role}: ${res.body}`);
      if (!writes) assert.equal(json(res).error.code, 'forbidden');
      assert.equal(await t.services.bounces.isUndeliverable(address), !writes, role);
    }
  });

  it('through the sending engine: refused while undeliverable, sent again once cleared', async () => {
    const address = `engine.${newId().slice(-8)}@example.org`;
    const c = await contactAt(t, address, 4);
    const now = new Date().toISOString();
    const messageId = newId();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id: messageId,
        name: `Direct ${messageId}`,
        purpose: 'marketing',
        list_id: null,
        from_name: null,
        from_email: 'news@example.com',
        reply_to: null,
        subject: 'News',
        html: '<p>News</p><a href="{{ unsubscribe_url }}">leave</a>',
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const send = async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/messages/${messageId}/send`,
        headers: t.auth('marketer'),
        payload: { contactId: c.id, idempotencyKey: newId() },
      });
      assert.equal(res.statusCode, 202, res.body);
      await runJobs(t.services, [PREPARE_QUEUE, BATCH_QUEUE]);
      return ctx.db.kysely.selectFrom('sends').selectAll().where('id', '=', json(res).data.send.id).executeTakeFirstOrThrow();
    };
    const firstSend = await send();
    assert.equal(firstSend.status, 'sent');
    assert.equal(relay.count(address), 1);
    assert.equal((await bounce(address, '5.1.1', firstSend.smtp_message_id!.slice(1, -1))).effect, 'undeliverable');

    const refused = await send();
    assert.deepEqual([refused.status, refused.reason], ['refused', 'undeliverable']);
    assert.equal(relay.count(address), 1);

    assert.deepEqual(json(await clear(address)), { data: { cleared: true } });
    const again = await send();
    assert.equal(again.status, 'sent');
    assert.equal(relay.count(address), 2);
  });
});
