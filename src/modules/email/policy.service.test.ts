import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { EmailRules } from '../settings/module.ts';
import { BATCH_QUEUE, PREPARE_QUEUE } from './engine.jobs.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;
const QUEUES = [PREPARE_QUEUE, BATCH_QUEUE];
const DAY = 86_400_000;

// Frequency caps and quiet hours through the real send pipeline, with an injected clock.
forEachDialect('email rules at send time', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-07-01T10:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ timeZone: 'Europe/Berlin' });
  });
  after(async () => t.close());
  beforeEach(() => clock.set('2026-07-01T10:00:00.000Z'));

  const rules = (r: Partial<EmailRules>) =>
    t.services.settings.patch({ emailRules: { frequencyCaps: [], quietHours: null, dropDeferredWhenCancelled: true, ...r } });

  let n = 0;
  async function message(purpose: string): Promise<string> {
    const id = newId();
    const now = clock.now().toISOString();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id,
        name: `M ${n++}`,
        purpose,
        list_id: null,
        from_name: null,
        from_email: null,
        reply_to: null,
        subject: `About ${purpose}`,
        html: '<p>Hello</p><a href="{{ unsubscribe_url }}">leave</a>',
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }
  async function contact(fields: { company?: string; country?: string; timeZone?: string } = {}): Promise<string> {
    const c = await t.services.contacts.create({ email: `p${n++}@example.com`, ...fields });
    await t.services.consent.setLevel(c.id, 4, CTX);
    return c.id;
  }
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: t.auth('marketer'), payload });
  /** One direct send, run by the queue now; its row afterwards. */
  async function sendNow(messageId: string, contactId: string) {
    const res = await post(`/api/v1/messages/${messageId}/send`, { contactId });
    assert.equal(res.statusCode, 202, res.body);
    await runJobs(t.services, QUEUES);
    return ctx.db.kysely.selectFrom('sends').selectAll().where('id', '=', json(res).data.send.id).executeTakeFirstOrThrow();
  }

  it('the fourth marketing mail within 7 days is refused frequency_cap; other purposes and later windows are not', async () => {
    await rules({ frequencyCaps: [{ purpose: 'marketing', max: 3, window: 'P7D' }] });
    const who = await contact();
    const other = await contact();
    const start = clock.now().getTime();
    for (const day of [0, 2, 4]) {
      clock.set(new Date(start + day * DAY));
      assert.equal((await sendNow(await message('marketing'), who)).status, 'sent', `day ${day}`);
    }
    clock.set(new Date(start + 6 * DAY));
    const fourth = await sendNow(await message('marketing'), who);
    assert.deepEqual([fourth.status, fourth.reason], ['refused', 'frequency_cap']);
    // Someone else's count is theirs; another purpose and transactional mail are not capped.
    assert.equal((await sendNow(await message('marketing'), other)).status, 'sent');
    assert.equal((await sendNow(await message('subscription'), who)).status, 'sent');
    assert.equal((await sendNow(await message('transactional'), who)).status, 'sent');
    // A refused send is not a sent one: it did not use up the window. Once the first mail is 7 days old, one more goes.
    clock.set(new Date(start + 7 * DAY));
    assert.equal((await sendNow(await message('marketing'), who)).status, 'sent');
    clock.set(new Date(start + 7 * DAY + 1000));
    assert.equal((await sendNow(await message('marketing'), who)).reason, 'frequency_cap');
  });

  it("a send at 23:00 in the recipient's zone waits for 08:00 there: own zone, else country's, else the installation's", async () => {
    await rules({ quietHours: { start: '21:00', end: '08:00' } });
    const company = `q${n++}`;
    // 2026-07-01T21:00Z: 23:00 in Berlin (the installation), 17:00 in New York, 06:00 (next day) in Tokyo.
    const installation = await contact({ company });
    const byCountry = await contact({ company, country: 'US' });
    const own = await contact({ company, country: 'US', timeZone: 'Asia/Tokyo' });
    const seg = (
      await t.services.segments.create({ name: company, kind: 'dynamic', filter: { field: 'company', op: '=', value: company } })
    ).id;
    clock.set('2026-07-01T21:00:00.000Z');
    const m = await message('marketing');
    const res = await post(`/api/v1/messages/${m}/send`, { segmentId: seg });
    assert.equal(res.statusCode, 202, res.body);
    await runJobs(t.services, QUEUES);
    const rows = async () =>
      new Map((await ctx.db.kysely.selectFrom('sends').selectAll().where('message_id', '=', m).execute()).map((s) => [s.contact_id, s]));
    let s = await rows();
    assert.deepEqual([s.get(byCountry)!.status, s.get(byCountry)!.sent_at], ['sent', '2026-07-01T21:00:00.000Z']);
    assert.deepEqual([s.get(installation)!.status, s.get(installation)!.not_before], ['deferred', '2026-07-02T06:00:00.000Z']);
    assert.deepEqual([s.get(own)!.status, s.get(own)!.not_before], ['deferred', '2026-07-01T23:00:00.000Z']);

    // Nothing leaves before its time; each goes when its morning comes.
    clock.set('2026-07-01T22:59:59.000Z');
    await runJobs(t.services, QUEUES);
    assert.equal((await rows()).get(own)!.status, 'deferred');
    clock.set('2026-07-01T23:00:00.000Z');
    await runJobs(t.services, QUEUES);
    s = await rows();
    assert.deepEqual([s.get(own)!.status, s.get(own)!.sent_at], ['sent', '2026-07-01T23:00:00.000Z']);
    assert.equal(s.get(installation)!.status, 'deferred');
    clock.set('2026-07-02T06:00:00.000Z');
    await runJobs(t.services, QUEUES);
    s = await rows();
    assert.deepEqual([s.get(installation)!.status, s.get(installation)!.sent_at], ['sent', '2026-07-02T06:00:00.000Z']);
    const campaign = json(
      await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/${json(res).data.campaign.id}`, headers: t.auth('viewer') }),
    ).data;
    assert.equal(campaign.status, 'done');
  });

  it('a deferred send whose campaign is cancelled meanwhile is dropped, or sent when due if the rule says to keep it', async () => {
    for (const drop of [true, false]) {
      clock.set('2026-07-01T10:00:00.000Z');
      await rules({ quietHours: { start: '21:00', end: '08:00' }, dropDeferredWhenCancelled: drop });
      const company = `c${n++}`;
      const who = await contact({ company });
      const seg = (
        await t.services.segments.create({ name: company, kind: 'dynamic', filter: { field: 'company', op: '=', value: company } })
      ).id;
      clock.set('2026-07-01T21:00:00.000Z');
      const m = await message('marketing');
      const id = json(await post(`/api/v1/messages/${m}/send`, { segmentId: seg })).data.campaign.id;
      await runJobs(t.services, QUEUES);
      const row = () => ctx.db.kysely.selectFrom('sends').selectAll().where('contact_id', '=', who).executeTakeFirstOrThrow();
      assert.equal((await row()).status, 'deferred');
      assert.equal((await post(`/api/v1/campaigns/${id}/cancel`, {})).statusCode, 200);
      clock.set('2026-07-02T06:00:00.000Z');
      await runJobs(t.services, QUEUES);
      assert.equal((await row()).status, drop ? 'cancelled' : 'sent', `drop ${drop}`);
    }
  });

  it('a batch with a contact twice, an erased one and mixed purposes: one answer per contact, the zone falling back', async () => {
    await rules({ quietHours: { start: '21:00', end: '08:00' }, frequencyCaps: [{ purpose: 'subscription', max: 1, window: 'P1D' }] });
    const tokyo = await contact({ timeZone: 'Asia/Tokyo' });
    const zoneless = await contact({ country: 'GB' });
    const sub = await message('subscription');
    assert.equal((await sendNow(sub, tokyo)).status, 'sent'); // 10:00Z: 19:00 in Tokyo
    // 12:30Z: 21:30 in Tokyo (quiet), 13:30 in London; someone erased is answered in the installation's zone (14:30 Berlin).
    clock.set('2026-07-01T12:30:00.000Z');
    const answers = await t.services.policy.decide(
      [
        { contactId: tokyo, purpose: 'subscription' },
        { contactId: zoneless, purpose: 'subscription' },
        { contactId: zoneless, purpose: 'transactional' },
        { contactId: newId(), purpose: 'subscription' },
      ],
      clock.now(),
    );
    assert.equal(answers.size, 3);
    assert.deepEqual(answers.get(tokyo), { deferUntil: new Date('2026-07-01T23:00:00.000Z') });
    assert.deepEqual(answers.get(zoneless), { ok: true });
    // Outside Tokyo's quiet hours the cap decides: one subscription mail a day, already sent.
    clock.set('2026-07-02T00:00:00.000Z');
    assert.deepEqual((await t.services.policy.decide([{ contactId: tokyo, purpose: 'subscription' }], clock.now())).get(tokyo), {
      refused: 'frequency_cap',
    });
  });

  it('without rules every recipient is answered ok, without reading sends or contacts', async () => {
    await rules({});
    const ids = [await contact(), await contact()];
    const answers = await t.services.policy.decide(
      ids.map((contactId) => ({ contactId, purpose: 'marketing' })),
      clock.now(),
    );
    assert.deepEqual([...answers.values()], [{ ok: true }, { ok: true }]);
    assert.equal((await t.services.policy.decide([], clock.now())).size, 0);
  });
});
