import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { newId } from '../../lib/ids.ts';
import { decide, majorityCutoff } from '../consent/gate.ts';
import { BATCH_QUEUE, PREPARE_QUEUE } from './engine.jobs.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;
const QUEUES = [PREPARE_QUEUE, BATCH_QUEUE];

forEachDialect('the send engine', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  let n = 0;
  const tag = () => `t${n++}-${Math.random().toString(36).slice(2, 8)}`;

  /** A message row as the messages service would store it (it lives in another part of the module). */
  async function message(purpose: string, html = '<p>Hello</p><a href="{{ unsubscribe_url }}">leave</a>'): Promise<string> {
    const id = newId();
    const now = new Date().toISOString();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id,
        name: `M ${purpose} ${n++}`,
        purpose,
        list_id: null,
        from_name: 'Zoë "Shop"',
        from_email: 'news@example.com',
        reply_to: null,
        subject: `About ${purpose}`,
        html,
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  async function contact(company: string, level: number, child: 'adult' | 'child' | 'child+guardian' = 'adult', guardian?: string) {
    const c = await t.services.contacts.create({
      email: `${company}.${n++}@example.com`,
      company,
      ...(child !== 'adult' && { isChild: true, guardianId: guardian ?? null }),
    });
    if (level > 0) await t.services.consent.setLevel(c.id, level, CTX);
    if (child === 'child+guardian') await t.services.consent.setGuardianConsent(c.id, true, CTX);
    return c.id;
  }

  async function segment(company: string): Promise<string> {
    return (
      await t.services.segments.create({ name: `S ${company}`, kind: 'dynamic', filter: { field: 'company', op: '=', value: company } })
    ).id;
  }

  const post = (url: string, payload: object, role: 'admin' | 'marketer' | 'viewer' = 'marketer') =>
    t.app.inject({ method: 'POST', url, headers: t.auth(role), payload });
  const get = (url: string, role: 'admin' | 'marketer' | 'viewer' = 'viewer') =>
    t.app.inject({ method: 'GET', url, headers: t.auth(role) });

  async function startCampaign(messageId: string, segmentId: string) {
    const res = await post(`/api/v1/messages/${messageId}/send`, { segmentId });
    assert.equal(res.statusCode, 202, res.body);
    return json(res).data.campaign as { id: string; status: string };
  }
  const campaign = async (id: string) => {
    const res = await get(`/api/v1/campaigns/${id}`);
    assert.equal(res.statusCode, 200, res.body);
    return json(res).data;
  };
  const sendsOf = (campaignId: string) =>
    ctx.db.kysely.selectFrom('sends').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute();
  const mailsTo = async (contactId: string) =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('contact_id', '=', contactId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('the gate at the moment of sending', () => {
    it(
      'over levels 0–5 × purposes × child and guardian states, sends exactly what decide() allows and refuses the rest with its ' +
        'reason',
      async () => {
        const company = tag();
        const guardian = await contact(`${company}-g`, 4);
        const people: { id: string; level: number; child: boolean; guardianConsent: boolean }[] = [];
        for (let level = 0; level <= 5; level++)
          for (const state of ['adult', 'child', 'child+guardian'] as const)
            people.push({
              id: await contact(company, level, state, guardian),
              level,
              child: state !== 'adult',
              guardianConsent: state === 'child+guardian',
            });
        const seg = await segment(company);
        const settings = await t.services.settings.get();
        for (const purpose of ['consent_request', 'transactional', 'subscription', 'marketing', 'profiling']) {
          const m = await message(purpose);
          const audience = json(await post(`/api/v1/messages/${m}/audience`, { segmentId: seg })).data;
          const c = await startCampaign(m, seg);
          await runJobs(t.services, QUEUES);
          const sends = new Map((await sendsOf(c.id)).map((s) => [s.contact_id, s]));
          assert.equal(sends.size, people.length);
          const refused: Record<string, number> = {};
          let allowed = 0;
          for (const p of people) {
            const want = decide(
              { storedLevel: p.level, isChildFlag: p.child, birthDate: null, guardianConsent: p.guardianConsent },
              {
                purpose,
                required: settings.purposes[purpose]!,
                dataProtection: true,
                childCutoff: majorityCutoff(new Date(), settings.majorityAge),
                caller: 'campaign',
              },
            );
            const s = sends.get(p.id)!;
            const what = `${purpose} level ${p.level} child ${p.child} guardian ${p.guardianConsent}`;
            if (want.allowed) {
              allowed++;
              assert.deepEqual([s.status, s.reason], ['sent', null], what);
              assert.match(s.smtp_message_id ?? '', new RegExp(`^<${s.id}@example\\.com>$`));
            } else {
              refused[want.reason] = (refused[want.reason] ?? 0) + 1;
              assert.deepEqual([s.status, s.reason], ['refused', want.reason], what);
            }
            assert.equal(await mailsTo(p.id), want.allowed ? 1 + (await priorMails(p.id, m)) : await priorMails(p.id, m), what);
          }
          const got = await campaign(c.id);
          assert.equal(got.status, 'done');
          assert.equal(got.recipients, people.length);
          assert.equal(got.counts.sent, allowed, purpose);
          assert.deepEqual(got.counts.refused, refused, purpose);
          assert.equal(got.counts.queued, 0);
          // The preflight asked the same gate, through its SQL: the same numbers.
          assert.deepEqual(audience, { recipients: people.length, allowed, refused }, purpose);
        }
      },
    );

    /** Mails a contact got for other messages than `m` (the loop above sends several). */
    async function priorMails(contactId: string, m: string): Promise<number> {
      const r = await ctx.db.kysely
        .selectFrom('sends')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('contact_id', '=', contactId)
        .where('status', '=', 'sent')
        .where('message_id', '!=', m)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    }

    it(
      'a contact whose consent falls after the campaign started is ' + 'refused when its turn comes; one who joins later is not added',
      async () => {
        const company = tag();
        const stays = await contact(company, 4);
        const withdraws = await contact(company, 4);
        const m = await message('marketing');
        const c = await startCampaign(m, await segment(company));
        await runJobs(t.services, [PREPARE_QUEUE]);
        await t.services.consent.setLevel(withdraws, 2, CTX);
        const late = await contact(company, 4);
        await runJobs(t.services, [BATCH_QUEUE]);
        const sends = new Map((await sendsOf(c.id)).map((s) => [s.contact_id, s]));
        assert.equal(sends.get(stays)!.status, 'sent');
        assert.deepEqual([sends.get(withdraws)!.status, sends.get(withdraws)!.reason], ['refused', 'below_required_level']);
        assert.equal(sends.has(late), false);
        assert.equal(await mailsTo(withdraws), 0);
        assert.equal(await mailsTo(late), 0);
        const got = await campaign(c.id);
        assert.deepEqual([got.recipients, got.counts.sent, got.counts.refused], [2, 1, { below_required_level: 1 }]);
      },
    );
  });

  describe('campaign states', () => {
    it('pause stops batches, resume sends the rest, and a transition that does not apply is 409 campaign_state', async () => {
      const company = tag();
      const ids = [await contact(company, 4), await contact(company, 4), await contact(company, 0)];
      const m = await message('marketing');
      const c = await startCampaign(m, await segment(company));
      assert.equal(c.status, 'preparing');
      const early = await post(`/api/v1/campaigns/${c.id}/pause`, {});
      assert.equal(early.statusCode, 409);
      assert.deepEqual([json(early).error.code, json(early).error.details], ['campaign_state', { status: 'preparing' }]);
      await runJobs(t.services, [PREPARE_QUEUE]);
      assert.equal((await campaign(c.id)).status, 'sending');
      assert.equal((await post(`/api/v1/campaigns/${c.id}/pause`, {})).statusCode, 200);
      assert.equal(json(await post(`/api/v1/campaigns/${c.id}/pause`, {})).error.code, 'campaign_state');
      await runJobs(t.services, [BATCH_QUEUE]);
      const paused = await campaign(c.id);
      assert.deepEqual([paused.status, paused.counts.queued, paused.counts.sent], ['paused', 3, 0]);
      for (const id of ids) assert.equal(await mailsTo(id), 0);
      const resumed = await post(`/api/v1/campaigns/${c.id}/resume`, {});
      assert.equal(resumed.statusCode, 200, resumed.body);
      assert.equal(json(resumed).data.status, 'sending');
      await runJobs(t.services, [BATCH_QUEUE]);
      const done = await campaign(c.id);
      assert.deepEqual(
        [done.status, done.counts.sent, done.counts.refused, done.counts.queued],
        ['done', 2, { below_required_level: 1 }, 0],
      );
      assert.ok(done.endedAt);
      assert.equal(json(await post(`/api/v1/campaigns/${c.id}/cancel`, {})).error.code, 'campaign_state');
      assert.equal(json(await post(`/api/v1/campaigns/${c.id}/resume`, {})).error.code, 'campaign_state');
    });

    it('cancel marks the waiting sends cancelled and nothing more is sent', async () => {
      const company = tag();
      const ids = [await contact(company, 4), await contact(company, 5)];
      const c = await startCampaign(await message('marketing'), await segment(company));
      await runJobs(t.services, [PREPARE_QUEUE]);
      const res = await post(`/api/v1/campaigns/${c.id}/cancel`, {});
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(json(res).data.status, 'cancelled');
      await runJobs(t.services, [BATCH_QUEUE]);
      const got = await campaign(c.id);
      assert.deepEqual([got.counts.cancelled, got.counts.sent, got.counts.queued], [2, 0, 0]);
      for (const s of await sendsOf(c.id)) assert.equal(s.status, 'cancelled');
      for (const id of ids) assert.equal(await mailsTo(id), 0);
    });

    it('a campaign cancelled while it prepares sends nothing', async () => {
      const company = tag();
      const id = await contact(company, 4);
      const c = await startCampaign(await message('marketing'), await segment(company));
      assert.equal((await post(`/api/v1/campaigns/${c.id}/cancel`, {})).statusCode, 200);
      await runJobs(t.services, QUEUES);
      assert.equal(await mailsTo(id), 0);
      assert.equal((await campaign(c.id)).status, 'cancelled');
    });
  });

  describe('listings', () => {
    it('lists campaigns newest first with names and counts, and sends by campaign and status; an empty segment ends at once', async () => {
      const company = tag();
      const [yes, no] = [await contact(company, 4), await contact(company, 1)];
      const m = await message('marketing');
      const seg = await segment(company);
      const first = await startCampaign(m, seg);
      const empty = await startCampaign(m, await segment(`${company}-nobody`));
      await runJobs(t.services, QUEUES);
      const page = json(await get('/api/v1/campaigns?limit=2'));
      assert.deepEqual(
        page.data.map((c: { id: string }) => c.id),
        [empty.id, first.id],
      );
      assert.equal(page.data[1].segmentName, `S ${company}`);
      assert.match(page.data[1].messageName, /^M marketing/);
      assert.deepEqual([page.data[0].status, page.data[0].recipients], ['done', 0]);
      assert.deepEqual([page.data[1].counts.sent, page.data[1].counts.refused], [1, { below_required_level: 1 }]);
      assert.ok(page.page.next);
      const refused = json(await get(`/api/v1/sends?campaign=${first.id}&status=refused`));
      assert.deepEqual(
        refused.data.map((s: { contactId: string; reason: string }) => [s.contactId, s.reason]),
        [[no, 'below_required_level']],
      );
      assert.equal(refused.page.total, 1);
      const sent = json(await get(`/api/v1/sends?message=${m}&contact=${yes}`));
      assert.deepEqual(
        sent.data.map((s: { status: string; campaignId: string; tracked: boolean }) => [s.status, s.campaignId, s.tracked]),
        [['sent', first.id, false]],
      );
      assert.equal((await get(`/api/v1/campaigns/${newId()}`)).statusCode, 404);
    });

    it('a message that no longer compiles fails its sends with the template’s code, and the job goes on', async () => {
      const id = await contact(tag(), 2);
      // Written past the messages service's checks (as a custom field removed since would leave it).
      const m = await message('transactional', '<p>{{ contact.noSuchField }}</p>');
      await post(`/api/v1/messages/${m}/send`, { contactId: id });
      await runJobs(t.services, QUEUES);
      const s = json(await get(`/api/v1/sends?contact=${id}`)).data[0];
      assert.deepEqual([s.status, s.reason], ['failed', 'template_invalid']);
      assert.equal(await mailsTo(id), 0);
      const dead = await ctx.db.kysely
        .selectFrom('jobs')
        .select('id')
        .where('queue', '=', BATCH_QUEUE)
        .where('status', '=', 'dead')
        .execute();
      assert.equal(dead.length, 0);
    });

    it('a direct send the gate refuses is recorded with the reason (caller staff) and mails nothing', async () => {
      const id = await contact(tag(), 3);
      const m = await message('marketing');
      const res = await post(`/api/v1/messages/${m}/send`, { contactId: id });
      assert.equal(json(res).data.send.status, 'queued');
      await runJobs(t.services, QUEUES);
      const s = json(await get(`/api/v1/sends?contact=${id}`)).data[0];
      assert.deepEqual([s.status, s.reason, s.campaignId], ['refused', 'below_required_level', null]);
      assert.equal(await mailsTo(id), 0);
    });
  });

  describe('never twice', () => {
    it('a batch run again, or run twice at once, mails each recipient once and counts each once', async () => {
      const company = tag();
      const ids = [await contact(company, 4), await contact(company, 4), await contact(company, 4)];
      const c = await startCampaign(await message('marketing'), await segment(company));
      await runJobs(t.services, [PREPARE_QUEUE]);
      const sends = await sendsOf(c.id);
      const payload = { campaignId: c.id, first: sends[0]!.id, last: sends[sends.length - 1]!.id };
      await Promise.all([t.services.engineJobs.runBatch(payload), t.services.engineJobs.runBatch(payload)]);
      await t.services.engineJobs.runBatch(payload);
      await runJobs(t.services, [BATCH_QUEUE]);
      for (const id of ids) assert.equal(await mailsTo(id), 1);
      assert.equal((await campaign(c.id)).counts.sent, 3);
    });

    it('a direct send with an idempotency key is made once however often it is asked', async () => {
      const id = await contact(tag(), 2);
      const m = await message('transactional', '<p>Your order</p>');
      const first = await post(`/api/v1/messages/${m}/send`, { contactId: id, idempotencyKey: 'order-1' });
      assert.equal(first.statusCode, 202, first.body);
      const again = await post(`/api/v1/messages/${m}/send`, { contactId: id, idempotencyKey: 'order-1' });
      assert.equal(json(again).data.send.id, json(first).data.send.id);
      assert.equal(json(first).data.send.origin, 'direct:order-1');
      await runJobs(t.services, QUEUES);
      assert.equal(await mailsTo(id), 1);
      const listed = json(await get(`/api/v1/sends?contact=${id}`));
      assert.deepEqual(
        listed.data.map((s: { status: string; origin: string }) => [s.status, s.origin]),
        [['sent', 'direct:order-1']],
      );
      assert.equal(JSON.stringify(listed).includes('@'), false, 'a send names its contact by id, never its address');
      // A second send without a key is a second mail.
      assert.equal((await post(`/api/v1/messages/${m}/send`, { contactId: id })).statusCode, 202);
      await runJobs(t.services, QUEUES);
      assert.equal(await mailsTo(id), 2);
    });

    it('refuses a body naming both or neither of contactId and segmentId', async () => {
      const m = await message('transactional', '<p>x</p>');
      for (const body of [{}, { contactId: newId(), segmentId: newId() }]) {
        const res = await post(`/api/v1/messages/${m}/send`, body);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(json(res).error.code, 'validation_failed');
      }
      assert.equal((await post(`/api/v1/messages/${newId()}/send`, { segmentId: newId() })).statusCode, 404);
    });
  });

  describe('erasure', () => {
    it('an erasure mid-campaign leaves no send row of the person and the campaign’s counts intact', async () => {
      const company = tag();
      const [a, b, c2] = [await contact(company, 4), await contact(company, 4), await contact(company, 4)];
      const c = await startCampaign(await message('marketing'), await segment(company));
      await runJobs(t.services, [PREPARE_QUEUE]);
      // Before its turn: its send goes with it, and nothing is sent to it.
      await t.services.erasure.erase({ contactIds: [a] }, { actor: { type: 'system', id: null } });
      await runJobs(t.services, [BATCH_QUEUE]);
      // After it was sent: the totals keep it.
      await t.services.erasure.erase({ contactIds: [b] }, { actor: { type: 'system', id: null } });
      const rows = await sendsOf(c.id);
      assert.deepEqual(
        rows.map((r) => r.contact_id),
        [c2],
      );
      const got = await campaign(c.id);
      assert.deepEqual([got.status, got.recipients, got.counts.sent], ['done', 3, 2]);
    });
  });
});
