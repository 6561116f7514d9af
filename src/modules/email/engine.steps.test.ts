import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { FakeClock } from '../../lib/clock.ts';
import { emailKey } from '../../lib/email.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { MAX_ATTEMPTS } from './engine.pipeline.ts';
import type { PolicyAnswer, RenderContact, SendLinks } from './engine.model.ts';
import { SendEngine } from './engine.pipeline.ts';
import { linkTracking } from './tracking.step.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;

forEachDialect('the send pipeline’s steps, in order', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-02T10:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.customFields.define({ name: 'plan', type: 'text', personal: false });
  });
  after(async () => t.close());

  // What the steps saw: a policy, a render and a tracking step of this test's own (a minimal
  // renderer may exist only in a test: the real one is the template part's).
  const policy = new Map<string, PolicyAnswer>();
  const rendered: { contact: RenderContact; links: SendLinks }[] = [];
  const decorated = new Map<string, boolean>();
  // Contacts whose render runs out of time (as on a busy process).
  const slow = new Set<string>();
  function engine(): SendEngine {
    const tracking = linkTracking(t.services.settings, t.services.secret, clock);
    return new SendEngine(ctx.db, clock, t.services.settings, t.services.consent, t.services.suppressions, t.services.contacts, {
      policy: { decide: async () => policy, capCheck: async () => null },
      render: {
        compile: async (m) => (contact, links) => {
          rendered.push({ contact, links });
          if (slow.has(contact.id))
            throw new AppError('template_invalid', 'the html template could not be rendered', {
              path: '/html',
              line: 1,
              column: 1,
              message: 'template render limit exceeded',
            });
          return { subject: m.subject, html: `<p>Hi ${contact.firstName} (${String(contact.customFields.plan)})</p>`, text: undefined };
        },
      },
      tracking: {
        forBatch: async (m) => {
          const d = await tracking.forBatch(m);
          return {
            ...d,
            decorate: (html, o) => {
              decorated.set(o.sendId, o.track);
              return o.track ? `${html}<img src="pixel">` : html;
            },
          };
        },
      },
      delivery: t.services.mail,
    });
  }

  async function message(purpose: string): Promise<string> {
    const id = newId();
    const now = clock.now().toISOString();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id,
        name: `M ${id}`,
        purpose,
        list_id: null,
        from_name: null,
        from_email: null,
        reply_to: null,
        subject: 'S',
        html: '<p>x</p>',
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }
  let n = 0;
  async function contact(level: number, opts: { child?: boolean; guardian?: string } = {}) {
    const c = await t.services.contacts.create({
      email: `step${n++}@example.com`,
      firstName: `Zoë ${n}`,
      customFields: { plan: 'gold' },
      ...(opts.child && { isChild: true, guardianId: opts.guardian ?? null }),
    });
    await t.services.consent.setLevel(c.id, level, CTX);
    if (opts.child && opts.guardian) await t.services.consent.setGuardianConsent(c.id, true, CTX);
    return c.id;
  }
  async function queue(messageId: string, contactIds: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const c of contactIds) ids.push((await t.services.sends.sendToContact(messageId, c)).id);
    return ids;
  }
  const row = (id: string) => ctx.db.kysely.selectFrom('sends').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('suppression, hard bounces, a bad address and the policy refuse or defer, each recorded on its send', async () => {
    const m = await message('marketing');
    const [ok, suppressed, bounced, broken, capped, deferred] = [
      await contact(4),
      await contact(4),
      await contact(4),
      await contact(4),
      await contact(4),
      await contact(4),
    ];
    const email = async (id: string) => (await t.services.contacts.get(id)).email;
    const suppressedKey = emailKey(await email(suppressed));
    await ctx.db.kysely.transaction().execute(async (trx) => {
      await t.services.suppressions.suppressKeys(trx, [suppressedKey], null, clock.now().toISOString());
    });
    await ctx.db.kysely
      .insertInto('undeliverable_addresses')
      .values({
        email_key: emailKey(await email(bounced)),
        address: await email(bounced),
        since: clock.now().toISOString(),
        bounce_id: null,
      })
      .execute();
    // An address written before addresses were checked (or by hand in the database).
    await ctx.db.kysely.updateTable('contacts').set({ email: 'not an address' }).where('id', '=', broken).execute();
    const later = new Date(clock.now().getTime() + 3_600_000);
    policy.clear();
    policy.set(capped, { refused: 'frequency_cap' });
    policy.set(deferred, { deferUntil: later });
    const sends = await queue(m, [ok, suppressed, bounced, broken, capped, deferred]);
    const run = await engine().run({ ids: sends });
    assert.equal(run.taken, 6);
    assert.deepEqual(run.next, later, 'the deferred send is due again at the end of its wait');
    const got = await Promise.all(sends.map(row));
    assert.deepEqual(
      got.map((s) => [s.status, s.reason]),
      [
        ['sent', null],
        ['refused', 'suppressed'],
        ['refused', 'undeliverable'],
        ['refused', 'invalid_address'],
        ['refused', 'frequency_cap'],
        ['deferred', null],
      ],
    );
    assert.equal(got[5]!.not_before, later.toISOString());
    // Not yet due: nothing happens to it.
    assert.equal((await engine().run({ ids: [sends[5]!] })).taken, 0);
    clock.set(later);
    policy.clear();
    await engine().run({ ids: [sends[5]!] });
    assert.equal((await row(sends[5]!)).status, 'sent');
  });

  it(
    'renders with the contact’s fields (custom ones too) and its ' + 'own signed links; tracks only whom the gate allows profiling',
    async () => {
      const m = await message('marketing');
      const guardian = await contact(4);
      const [four, five, child] = [await contact(4), await contact(5), await contact(5, { child: true, guardian })];
      policy.clear();
      rendered.length = 0;
      const sends = await queue(m, [four, five, child]);
      await engine().run({ ids: sends });
      assert.deepEqual(
        (await Promise.all(sends.map(row))).map((s) => [s.status, s.tracked]),
        [
          ['sent', 0],
          ['sent', 1],
          ['sent', 0],
        ],
      );
      assert.deepEqual(
        sends.map((s) => decorated.get(s)),
        [false, true, false],
      );
      assert.equal(rendered.length, 3);
      assert.equal(rendered[0]!.contact.customFields.plan, 'gold');
      assert.match(rendered[0]!.contact.firstName ?? '', /^Zoë /);
      assert.notEqual(rendered[0]!.links.unsubscribe_url, rendered[1]!.links.unsubscribe_url, 'each send has its own link');
      const outbox = await ctx.db.kysely
        .selectFrom('outbox')
        .select(['contact_id', 'html_body'])
        .where('contact_id', 'in', [four, five])
        .execute();
      assert.match(outbox.find((o) => o.contact_id === five)!.html_body ?? '', /pixel/);
      assert.doesNotMatch(outbox.find((o) => o.contact_id === four)!.html_body ?? '', /pixel/);
      assert.match(outbox.find((o) => o.contact_id === four)!.html_body ?? '', /\(gold\)/);
    },
  );

  it('a render out of time is tried again later (a busy process), and fails only after the attempts a relay gets', async () => {
    const m = await message('marketing');
    const [once, always] = [await contact(4), await contact(4)];
    policy.clear();
    slow.add(once);
    slow.add(always);
    const sends = await queue(m, [once, always]);
    let run = await engine().run({ ids: sends });
    let got = await Promise.all(sends.map(row));
    assert.deepEqual(
      got.map((s) => [s.status, s.reason, s.attempts]),
      [
        ['queued', 'render_timeout', 1],
        ['queued', 'render_timeout', 1],
      ],
    );
    assert.ok(run.next && run.next.getTime() > clock.now().getTime(), 'due again after a wait');
    slow.delete(once);
    for (let i = 0; i < MAX_ATTEMPTS && run.next; i++) {
      clock.set(run.next);
      run = await engine().run({ ids: sends });
    }
    got = await Promise.all(sends.map(row));
    assert.deepEqual(
      got.map((s) => [s.status, s.reason]),
      [
        ['sent', null],
        ['failed', 'template_invalid'],
      ],
    );
    slow.clear();
  });
});
