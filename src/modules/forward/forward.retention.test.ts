import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { SYSTEM_ACTOR } from '../audit/audit.model.ts';
import { FORWARD_TTL_MS, forwardUrl } from '../email/module.ts';
import { fileScan, type Person, rawScan } from '../../../test/fixtures/dsr/erasure.fixture.ts';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { FORWARD_QUEUE } from './forward.service.ts';

const BASE = 'https://news.example.org';
const DAY = 86_400_000;
const admin = { source: 'admin' as const, actor: { type: 'user', id: null } };

/**
 * The friend's address, as the erasure tests' own scans look for a person (test/fixtures/dsr/erasure.fixture.ts): every
 * row of every table through the raw driver, and on SQLite the bytes of the database file and its write-ahead log,
 * read by another process. The friend has only an address; the other needles are words no row holds.
 */
const FRIEND: Person = {
  email: 'amigo.retention.5d1e@friends.example',
  firstName: 'Qzxvforwardfn',
  lastName: 'Qzxvforwardln',
  phone: '+99 8765 4321 0987',
};

forEachDialect('forward to a friend: the friend’s address is gone 30 days later', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-06-01T09:00:00.000Z');

  before(async () => {
    t = await testApp(ctx.db, { clock });
    // No relay: the copy is kept in the outbox, one more place the address lands.
    await t.services.settings.patch({ publicBaseUrl: BASE, smtp: null });
  });
  after(async () => t.close());

  it('after the retention run on a fake clock the address is in no table and not in the database file', async () => {
    const c = await t.services.contacts.create({ email: 'sender.7a1c@example.com', firstName: 'Ana' });
    await t.services.consent.setLevel(c.id, 4, admin);
    const m = await t.services.messages.create({
      name: 'News',
      purpose: 'marketing',
      subject: 'News',
      html: '<html><body><p>News</p><a href="{{ forward_url }}">Forward</a> <a href="{{ unsubscribe_url }}">Leave</a></body></html>',
    });
    const campaignId = newId();
    const sendId = newId();
    const now = clock.now().toISOString();
    await ctx.db.kysely
      .insertInto('campaigns')
      .values({ id: campaignId, message_id: m.id, segment_id: newId(), status: 'done', recipients: 1, created_at: now })
      .execute();
    await ctx.db.kysely
      .insertInto('sends')
      .values({
        id: sendId,
        message_id: m.id,
        contact_id: c.id,
        origin: `campaign:${campaignId}`,
        campaign_id: campaignId,
        purpose: 'marketing',
        status: 'sent',
        reason: null,
        tracked: 0,
        attempts: 1,
        not_before: null,
        smtp_message_id: null,
        queued_at: now,
        sent_at: now,
        updated_at: now,
      })
      .execute();
    const url = forwardUrl(
      BASE,
      await t.services.secret.key(),
      { contactId: c.id, sendId },
      new Date(clock.now().getTime() + FORWARD_TTL_MS),
    );
    const token = url.slice(url.lastIndexOf('/') + 1);
    const path = url.slice(BASE.length);
    const page = await t.app.inject({ method: 'GET', url: path });
    const form = /name="form" value="([^"]+)"/.exec(page.body)![1]!;
    const res = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE },
      payload: new URLSearchParams({ form, email: FRIEND.email, note: 'Hello friend' }).toString(),
    });
    assert.equal(res.statusCode, 200);
    assert.equal(await runJobs(t.services, [FORWARD_QUEUE]), 1);
    assert.equal(token.length > 0, true);
    // Where the address is now: the scans see it (else they would prove nothing below).
    // Every table, every column: the friend's row and the outbox's copy, and nothing else (no contact, no send, no job
    // payload, no rate-limit key, no side-effect key, no event holds the address).
    const held = await rawScan(ctx.db, FRIEND);
    assert.deepEqual(held.sort(), ['forward_recipients', 'outbox']);
    if (ctx.db.dialect === 'sqlite') assert.ok(fileScan(ctx.db, FRIEND).length > 0, 'the file or its log holds the address now');

    // A day short of 30: kept.
    clock.advance(29 * DAY);
    await t.services.retention.run({ actor: SYSTEM_ACTOR });
    assert.ok((await rawScan(ctx.db, FRIEND)).includes('forward_recipients'));

    clock.advance(DAY + 60_000);
    await t.services.retention.run({ actor: SYSTEM_ACTOR });
    assert.deepEqual(await rawScan(ctx.db, FRIEND), [], 'no table holds the address');
    assert.deepEqual(fileScan(ctx.db, FRIEND), [], 'neither the database file nor its log holds the address');
    // The sender is still a contact; the friend never was one.
    assert.equal((await t.services.contacts.get(c.id)).email, 'sender.7a1c@example.com');
    assert.equal((await t.services.contacts.list({ q: FRIEND.email }, 10)).length, 0);
  });
});
