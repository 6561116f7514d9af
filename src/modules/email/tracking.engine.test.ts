import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { BATCH_QUEUE } from './engine.jobs.ts';

const BASE = 'https://mail.example.org';
const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;
const HTML =
  '<html><body><p>Offers</p><a href="https://shop.example/sale">Sale</a> <a href="mailto:help@shop.example">Help</a></body></html>';

/**
 * The tracking step as the module wires it into the send pipeline: a level-5 recipient gets the
 * pixel and signed click links that lead back to the message's URLs; level 4 and a child (even
 * stored at 5, with guardian consent) get the HTML exactly as written. Every recipient gets the
 * RFC 8058 headers, and the one-click link in them unsubscribes.
 */
forEachDialect('tracking and unsubscribe links in mail sent by the engine', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-06-01T09:00:00.000Z');
  let messageId: string;
  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ publicBaseUrl: BASE });
    messageId = newId();
    const now = clock.now().toISOString();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id: messageId,
        name: 'Offers',
        purpose: 'marketing',
        list_id: null,
        from_name: null,
        from_email: 'news@shop.example',
        reply_to: null,
        subject: 'Offers',
        html: HTML,
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  after(async () => t.close());

  let n = 0;
  async function contact(level: number, opts: { child?: boolean; guardian?: string } = {}) {
    const c = await t.services.contacts.create({
      email: `track${n++}@example.com`,
      ...(opts.child && { isChild: true, guardianId: opts.guardian ?? null }),
    });
    await t.services.consent.setLevel(c.id, level, CTX);
    if (opts.child && opts.guardian) await t.services.consent.setGuardianConsent(c.id, true, CTX);
    return c.id;
  }
  const mailOf = (contactId: string) =>
    ctx.db.kysely.selectFrom('outbox').select(['html_body', 'headers']).where('contact_id', '=', contactId).executeTakeFirstOrThrow();

  it('tracks level 5 only, never a child; the click leads back; the header unsubscribes', async () => {
    const guardian = await contact(4);
    const [four, five, child] = [await contact(4), await contact(5), await contact(5, { child: true, guardian })];
    for (const c of [four, five, child]) await t.services.sends.sendToContact(messageId, c);
    await runJobs(t.services, [BATCH_QUEUE]);

    const tracked = await mailOf(five);
    assert.match(tracked.html_body ?? '', /<img src="https:\/\/mail\.example\.org\/public\/v1\/email\/open\/[^"]+" width="1" height="1"/);
    const click = /href="https:\/\/mail\.example\.org(\/public\/v1\/email\/click\/[^"]+)"/.exec(tracked.html_body ?? '')![1]!;
    assert.ok((tracked.html_body ?? '').includes('href="mailto:help@shop.example"'), 'mailto is left alone');
    const res = await t.app.inject({ method: 'GET', url: click });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, 'https://shop.example/sale');

    for (const untracked of [four, child]) assert.equal((await mailOf(untracked)).html_body, HTML, 'the HTML as written');

    const headers = JSON.parse((await mailOf(four)).headers) as Record<string, string>;
    assert.equal(headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    const oneClick = String.raw`<https://mail\.example\.org(/public/v1/email/unsubscribe/[^>]+)>`;
    const mailto = String.raw`<mailto:unsubscribe@shop\.example\?subject=unsubscribe%20[^>]+>`;
    const m = new RegExp(`^${oneClick}, ${mailto}$`).exec(headers['List-Unsubscribe'] ?? '');
    assert.ok(m, headers['List-Unsubscribe']);
    assert.equal((await t.app.inject({ method: 'POST', url: m[1]!, payload: '' })).statusCode, 200);
    assert.equal((await t.services.contacts.get(four)).consentLevel, 3);
  });
});
