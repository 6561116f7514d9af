import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { dsnReport } from '../../../test/fixtures/email/dsn.samples.ts';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink.ts';
import { newId } from '../../lib/ids.ts';
import { countsFrom } from './campaign.model.ts';
import { BATCH_QUEUE, PREPARE_QUEUE } from './engine.jobs.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;

forEachDialect("a campaign's delivered count", (ctx) => {
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

  const campaign = async (id: string) =>
    json(await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}`, headers: t.auth('viewer') })).data;

  it('is what the relay accepted minus the hard bounces reported for its sends, and survives the erasure of the bounced one', async () => {
    const company = `delivered-${newId().slice(-6)}`;
    const people: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await t.services.contacts.create({ email: `${company}.${i}@example.com`, company });
      await t.services.consent.setLevel(c.id, 4, CTX);
      people.push(c.id);
    }
    const now = new Date().toISOString();
    const messageId = newId();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id: messageId,
        name: 'Delivered',
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
    const segment = await t.services.segments.create({
      name: company,
      kind: 'dynamic',
      filter: { field: 'company', op: '=', value: company },
    });
    const started = await t.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${messageId}/send`,
      headers: t.auth('marketer'),
      payload: { segmentId: segment.id },
    });
    assert.equal(started.statusCode, 202, started.body);
    const id = json(started).data.campaign.id;
    await runJobs(t.services, [PREPARE_QUEUE, BATCH_QUEUE]);
    assert.equal(relay.total(), 3);
    const sent = await campaign(id);
    assert.deepEqual([sent.counts.sent, sent.counts.bounced, sent.counts.delivered], [3, 0, 3]);

    // One mail comes back: its Message-ID names the send.
    const send = await ctx.db.kysely.selectFrom('sends').selectAll().where('contact_id', '=', people[0]!).executeTakeFirstOrThrow();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bounces',
      headers: { ...t.auth('marketer'), 'content-type': 'message/rfc822' },
      payload: dsnReport({ recipient: `${company}.0@example.com`, messageId: send.smtp_message_id!.slice(1, -1), status: '5.7.1' }),
    });
    assert.deepEqual(
      json(res).data.outcomes.map((o: { effect: string; sendId: string }) => [o.effect, o.sendId]),
      [['recorded', send.id]],
      'a policy block is a bounce of the campaign, not of the address',
    );
    const bounced = await campaign(id);
    assert.deepEqual([bounced.counts.sent, bounced.counts.bounced, bounced.counts.delivered], [3, 1, 2]);

    // The totals are anonymous: erasing the person whose mail bounced changes none of them.
    await t.services.erasure.erase({ contactIds: [people[0]!] }, { actor: { type: 'system', id: null } });
    const erased = await campaign(id);
    assert.deepEqual(erased.counts, bounced.counts);
  });

  it('never goes below 0, and a stored `delivered` row (none is written) is not added to it', () => {
    const row = (outcome: string, n: number) => ({ campaign_id: 'c', outcome, reason: '', n });
    assert.equal(countsFrom([row('sent', 1), row('bounced', 2)], []).delivered, 0);
    assert.equal(countsFrom([row('sent', 5), row('bounced', 2), row('delivered', 7)], []).delivered, 3);
  });
});
