import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { signToken } from '../../lib/signed.ts';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { PIXEL } from './email.public.routes.ts';
import { clickToken, LINK_TTL_MS, listUnsubscribeHeaders, openUrl, sendUrls, urlHash } from './links.ts';
import type { RenderStep } from './engine.model.ts';
import { LinkContext, renderedBy, TrackingService } from './tracking.service.ts';
import { decorate } from './tracking.ts';

const BASE = 'https://mail.example.org';
const admin = { source: 'admin' as const, actor: { type: 'user', id: null } };
const HTML =
  '<html><body><h1>Offers</h1><a href="https://shop.example/sale?utm_source=news&amp;id=7">Sale</a> ' +
  '<a href="mailto:help@shop.example">Help</a> <a href="https://shop.example/b%C3%BCcher">Books</a>' +
  '<a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>';

const lastSegment = (url: string) => url.slice(url.lastIndexOf('/') + 1);
const path = (url: string) => url.slice(BASE.length);
const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** What two answers must share to be "the same answer": status, body and every header but the per-request ones. */
function shape(res: LightMyRequestResponse) {
  const { date: _d, 'x-request-id': _r, ...headers } = res.headers;
  return { status: res.statusCode, body: res.body, headers };
}

forEachDialect('email links: one-click unsubscribe, open, click, view', (ctx) => {
  let t: TestApp;
  let key: Buffer;
  const clock = new FakeClock('2026-06-01T09:00:00.000Z');
  let campaignId: string;
  let marketing: string;
  let newsletter: string;
  let listId: string;

  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ publicBaseUrl: BASE });
    key = await t.services.secret.key();
    listId = (await t.services.lists.create({ name: 'Monthly <news> & more' })).id;
    const now = clock.now().toISOString();
    const message = (purpose: string, list: string | null) => ({
      id: newId(),
      name: 'Summer offers',
      purpose,
      list_id: list,
      from_name: null,
      from_email: null,
      reply_to: null,
      subject: 'Offers',
      html: HTML,
      text: null,
      blocks: null,
      created_at: now,
      updated_at: now,
    });
    const m1 = message('marketing', null);
    const m2 = message('subscription', listId);
    marketing = m1.id;
    newsletter = m2.id;
    await ctx.db.kysely.insertInto('messages').values([m1, m2]).execute();
    campaignId = newId();
    await ctx.db.kysely
      .insertInto('campaigns')
      .values({ id: campaignId, message_id: marketing, segment_id: newId(), status: 'sending', recipients: 10, created_at: now })
      .execute();
  });
  after(async () => t.close());

  /** A contact at `level`, and a send of the message to it as the engine leaves one (sent; tracked when `tracked`). */
  async function recipient(level: number, opts: { message?: string; tracked?: boolean; campaign?: boolean } = {}) {
    const c = await t.services.contacts.create({ email: `p${newId().slice(-12)}@example.com`, firstName: 'Ana' });
    if (level > 0) await t.services.consent.setLevel(c.id, level, admin);
    const messageId = opts.message ?? marketing;
    const sendId = newId();
    const now = clock.now().toISOString();
    await ctx.db.kysely
      .insertInto('sends')
      .values({
        id: sendId,
        message_id: messageId,
        contact_id: c.id,
        origin: opts.campaign === false ? `direct:${newId()}` : `campaign:${campaignId}`,
        campaign_id: opts.campaign === false ? null : campaignId,
        purpose: messageId === marketing ? 'marketing' : 'subscription',
        status: 'sent',
        reason: null,
        tracked: opts.tracked ? 1 : 0,
        attempts: 1,
        not_before: null,
        smtp_message_id: `<${sendId}@mail.example.org>`,
        queued_at: now,
        sent_at: now,
        updated_at: now,
      })
      .execute();
    return { contactId: c.id, sendId, urls: sendUrls(BASE, key, sendId, clock.now(), c.id) };
  }

  const level = async (contactId: string) => (await t.services.contacts.get(contactId)).consentLevel;
  const ledgerSize = async () =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('consent_ledger')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const count = async (outcome: string) =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('campaign_counts')
          .select('n')
          .where('campaign_id', '=', campaignId)
          .where('outcome', '=', outcome)
          .executeTakeFirst()
      )?.n ?? 0,
    );
  const statCount = async (type: string) =>
    (await t.services.interactions.stats({})).data.filter((r) => r.type === type).reduce((n, r) => n + r.count, 0);
  const rowsOf = async (contactId: string, type: string) => (await t.services.interactions.listForContact(contactId, { type }, 100)).length;

  it('one-click POST without cookie or login lowers the level below the purpose, in the ledger with source unsubscribe', async () => {
    const r = await recipient(4);
    const res = await t.app.inject({
      method: 'POST',
      url: path(r.urls.unsubscribe_url),
      headers: form,
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.equal(await level(r.contactId), 3, 'marketing needs 4: now at most 3');
    const entries = await t.services.ledger.history(r.contactId);
    const last = entries.at(-1)!;
    assert.equal(last.kind, 'level');
    assert.equal(last.source, 'unsubscribe');
    assert.deepEqual([last.actorType, last.actorId], ['message', marketing]);
    assert.deepEqual([last.oldValue, last.newValue], [4, 3]);
    assert.equal(await count('unsubscribed'), 1);

    // Again, with an empty body this time: the same answer, nothing more recorded or counted.
    const before = entries.length;
    const again = await t.app.inject({ method: 'POST', url: path(r.urls.unsubscribe_url) });
    assert.equal(again.statusCode, 200);
    assert.equal(again.body, res.body);
    assert.equal((await t.services.ledger.history(r.contactId)).length, before);
    assert.equal(await count('unsubscribed'), 1);
    // A multipart body, as some clients send: accepted and ignored.
    const multi = await t.app.inject({
      method: 'POST',
      url: path(r.urls.unsubscribe_url),
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    });
    assert.equal(multi.statusCode, 200);
    // The subscription center variable is the contact's own page now, not this leaving.
    assert.match(r.urls.subscription_center_url, /^https:\/\/mail\.example\.org\/public\/v1\/subscription\/[A-Za-z0-9_.-]+$/);
  });

  it('a newsletter leaves its list (ledger list_leave, source unsubscribe) and keeps the level', async () => {
    const r = await recipient(4, { message: newsletter, campaign: false });
    await t.services.lists.join(r.contactId, listId, admin);
    const page = await t.app.inject({ method: 'GET', url: path(r.urls.unsubscribe_url) });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('Monthly &lt;news&gt; &amp; more'), 'the list name, escaped');
    assert.equal((await t.services.lists.memberships(r.contactId)).length, 1, 'the page changed nothing');
    const res = await t.app.inject({
      method: 'POST',
      url: path(r.urls.unsubscribe_url),
      headers: form,
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await t.services.lists.memberships(r.contactId), []);
    const last = (await t.services.ledger.history(r.contactId)).at(-1)!;
    assert.deepEqual([last.kind, last.listId, last.source, last.actorId], ['list_leave', listId, 'unsubscribe', newsletter]);
    assert.equal(await level(r.contactId), 4);
  });

  it('GET shows a page with a button posting back, and changes nothing', async () => {
    const r = await recipient(4);
    const ledger = await ledgerSize();
    const res = await t.app.inject({ method: 'GET', url: path(r.urls.unsubscribe_url) });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<form method="post">[\s\S]*name="List-Unsubscribe" value="One-Click"[\s\S]*<button type="submit">/);
    assert.doesNotMatch(res.body, /<script|@example\.com/);
    assert.match(res.headers['content-security-policy'] as string, /default-src 'none'/);
    assert.doesNotMatch(res.headers['content-security-policy'] as string, /script-src/);
    assert.equal(await level(r.contactId), 4);
    assert.equal(await ledgerSize(), ledger);
    assert.equal(await count('unsubscribed'), 1, 'only the earlier test’s');
  });

  it('bad tokens (forged, altered, expired, foreign, malformed, erased recipient) all get one answer and change nothing', async () => {
    const r = await recipient(4);
    const gone = await recipient(4);
    const tracked = await recipient(5, { tracked: true });
    await t.services.erasure.erase({ contactIds: [gone.contactId] }, { actor: { type: 'system', id: null } });
    const good = lastSegment(r.urls.unsubscribe_url);
    const [p, s, e, sig] = good.split('.') as [string, string, string, string];
    const flip = (x: string) => (x[0] === 'A' ? 'B' : 'A') + x.slice(1);
    const future = new Date(clock.now().getTime() + 1e9);
    const bad: Record<string, string> = {
      forged: `${p}.${s}.${e}.${flip(sig)}`,
      altered: `${p}.${Buffer.from(tracked.sendId).toString('base64url')}.${e}.${sig}`,
      'other secret': signToken(Buffer.alloc(32, 1), 'unsubscribe', r.sendId, future),
      'view token': lastSegment(r.urls.view_in_browser_url),
      'open token': lastSegment(openUrl(BASE, key, r.sendId, clock.now())),
      'click token': clickToken(key, { sendId: r.sendId, index: 0, urlHash: urlHash('https://shop.example/') }, clock.now()),
      'data-request token': signToken(key, 'dsr-verify', r.sendId, future),
      'unknown send': signToken(key, 'unsubscribe', newId(), future),
      erased: lastSegment(gone.urls.unsubscribe_url),
      malformed: 'abc',
      'bad characters': 'a%20b%00',
      long: 'a'.repeat(1200),
    };
    const ledger = await ledgerSize();
    const answers: { what: string; res: LightMyRequestResponse }[] = [];
    for (const [what, token] of Object.entries(bad)) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await t.app.inject({
          method,
          url: `/public/v1/email/unsubscribe/${token}`,
          ...(method === 'POST' ? { headers: form, payload: 'List-Unsubscribe=One-Click' } : {}),
        });
        answers.push({ what: `${method} ${what}`, res });
      }
    }
    // Expired: the genuine link, 400 days on.
    clock.advance(LINK_TTL_MS);
    try {
      for (const method of ['GET', 'POST'] as const)
        answers.push({ what: `${method} expired`, res: await t.app.inject({ method, url: `/public/v1/email/unsubscribe/${good}` }) });
    } finally {
      clock.advance(-LINK_TTL_MS);
    }
    const first = shape(answers[0]!.res);
    assert.equal(first.status, 404);
    for (const a of answers) assert.deepEqual(shape(a.res), first, a.what);
    // The view and click links refuse with the very same answer.
    for (const url of [
      `/public/v1/email/view/${bad.forged}`,
      `/public/v1/email/click/${bad.forged}`,
      `/public/v1/email/view/${bad.erased}`,
    ])
      assert.deepEqual(shape(await t.app.inject({ method: 'GET', url })), first, url);
    assert.equal(await ledgerSize(), ledger, 'nothing written');
    assert.equal(await level(r.contactId), 4);
    assert.equal(await level(tracked.contactId), 5);
    // …while the genuine link still works.
    assert.equal((await t.app.inject({ method: 'POST', url: `/public/v1/email/unsubscribe/${good}` })).statusCode, 200);
  });

  it('any token-shaped text that is not a genuine link gets the one answer (property)', async () => {
    const refused = shape(await t.app.inject({ method: 'GET', url: '/public/v1/email/unsubscribe/x' }));
    const ledger = await ledgerSize();
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9_.-]{1,300}$/),
        fc.constantFrom('unsubscribe', 'view', 'click'),
        fc.constantFrom('GET', 'POST'),
        async (token, route, method) => {
          // Dots alone are a path segment the URL resolves away (`.`, `..`), not a token: another route's business.
          fc.pre(!(route !== 'unsubscribe' && method === 'POST') && !/^\.+$/.test(token));
          const res = await t.app.inject({
            method,
            url: `/public/v1/email/${route}/${token}`,
            remoteAddress: `192.0.2.${token.length % 250}`,
          });
          assert.deepEqual(shape(res), refused);
        },
      ),
      { numRuns: 60 },
    );
    assert.equal(await ledgerSize(), ledger);
  });

  it('open: one GIF for any token; linked only with profiling, counted only with GPC or DNT; first open counted once', async () => {
    const r = await recipient(5, { tracked: true });
    const open = path(openUrl(BASE, key, r.sendId, clock.now()));
    const opensBefore = await statCount('email_opened');
    const res = await t.app.inject({ method: 'GET', url: open });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.rawPayload, PIXEL);
    assert.equal(await rowsOf(r.contactId, 'email_opened'), 1);
    assert.equal(await count('opened'), 1);
    await t.app.inject({ method: 'GET', url: open });
    assert.equal(await rowsOf(r.contactId, 'email_opened'), 2);
    assert.equal((await t.app.inject({ method: 'HEAD', url: open })).statusCode, 200);
    assert.equal(await rowsOf(r.contactId, 'email_opened'), 2, 'a HEAD records nothing');
    assert.equal(await count('opened'), 1, 'the campaign counts a send’s first open only');
    assert.equal(await statCount('email_opened'), opensBefore + 2);

    // The browser says do not track: nothing per contact, the anonymous counter moves.
    for (const headers of [{ 'sec-gpc': '1' }, { dnt: '1' }]) {
      const other = await recipient(5, { tracked: true });
      const before = await statCount('email_opened');
      const got = await t.app.inject({ method: 'GET', url: path(openUrl(BASE, key, other.sendId, clock.now())), headers });
      assert.deepEqual(shape(got), shape(res));
      assert.equal(await rowsOf(other.contactId, 'email_opened'), 0, JSON.stringify(headers));
      assert.equal(await statCount('email_opened'), before + 1);
      assert.equal(await count('opened'), 2 + (headers.dnt ? 1 : 0));
    }

    // Profiling withdrawn since the mail left: counted, not linked.
    const withdrawn = await recipient(5, { tracked: true });
    await t.services.consent.setLevel(withdrawn.contactId, 4, admin);
    await t.app.inject({ method: 'GET', url: path(openUrl(BASE, key, withdrawn.sendId, clock.now())) });
    assert.equal(await rowsOf(withdrawn.contactId, 'email_opened'), 0);

    // Bad tokens: the same bytes and headers, nothing recorded.
    const before = await statCount('email_opened');
    for (const token of ['x', 'a'.repeat(1500), lastSegment(r.urls.unsubscribe_url), `${lastSegment(open)}x`]) {
      const got = await t.app.inject({ method: 'GET', url: `/public/v1/email/open/${token}` });
      assert.deepEqual(shape(got), shape(res), token.slice(0, 20));
    }
    // An untracked send has no pixel: a token for it (never sent) records nothing.
    const untracked = await recipient(5);
    await t.app.inject({ method: 'GET', url: path(openUrl(BASE, key, untracked.sendId, clock.now())) });
    assert.equal(await statCount('email_opened'), before);
  });

  it('click: redirects only to a URL of the message, records the click even with GPC, never redirects on a bad token', async () => {
    const r = await recipient(5, { tracked: true });
    const sent = decorate(HTML.replace('{{ unsubscribe_url }}', r.urls.unsubscribe_url), {
      sendId: r.sendId,
      track: true,
      baseUrl: BASE,
      key,
      now: clock.now(),
    });
    const clicks = [...sent.matchAll(/href="(https:\/\/mail\.example\.org\/public\/v1\/email\/click\/[^"]+)"/g)].map((m) => m[1]!);
    assert.equal(clicks.length, 2, 'the two shop links; not mailto, not the unsubscribe link');
    assert.ok(sent.includes(`href="${r.urls.unsubscribe_url}"`));
    const res = await t.app.inject({ method: 'GET', url: path(clicks[0]!), headers: { 'sec-gpc': '1' } });
    assert.equal(res.statusCode, 302, res.body);
    assert.equal(res.headers.location, 'https://shop.example/sale?utm_source=news&id=7');
    const second = await t.app.inject({ method: 'GET', url: path(clicks[1]!) });
    assert.equal(second.headers.location, 'https://shop.example/b%C3%BCcher');
    assert.equal(await rowsOf(r.contactId, 'email_clicked'), 2, 'an explicit click counts whatever the signals');
    const head = await t.app.inject({ method: 'HEAD', url: path(clicks[0]!) });
    assert.equal(head.headers.location, 'https://shop.example/sale?utm_source=news&id=7');
    assert.equal(await rowsOf(r.contactId, 'email_clicked'), 2, 'a HEAD (a link checker) records nothing');
    assert.equal(await count('clicked'), 1, 'the campaign counts a send’s first click');

    const refused = shape(await t.app.inject({ method: 'GET', url: '/public/v1/email/click/x' }));
    assert.equal(refused.status, 404);
    const token = lastSegment(clicks[0]!);
    const [p, s, e, sig] = token.split('.') as [string, string, string, string];
    const now = clock.now();
    const attempts = {
      'changed signature': `${p}.${s}.${e}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`,
      'URL not in the message': clickToken(key, { sendId: r.sendId, index: 0, urlHash: urlHash('https://evil.example/') }, now),
      'index past the links': clickToken(key, { sendId: r.sendId, index: 9, urlHash: urlHash('https://evil.example/') }, now),
      'the mailto link': clickToken(key, { sendId: r.sendId, index: 0, urlHash: urlHash('mailto:help@shop.example') }, now),
      'another send': clickToken(
        key,
        { sendId: newId(), index: 0, urlHash: urlHash('https://shop.example/sale?utm_source=news&id=7') },
        now,
      ),
      'an unsubscribe token': lastSegment(r.urls.unsubscribe_url),
    };
    for (const [what, bad] of Object.entries(attempts)) {
      const got = await t.app.inject({ method: 'GET', url: `/public/v1/email/click/${bad}` });
      assert.equal(got.headers.location, undefined, what);
      assert.deepEqual(shape(got), refused, what);
    }
    assert.equal(await rowsOf(r.contactId, 'email_clicked'), 2);
    // Links that moved (the message edited since): the hash finds the URL at its new place.
    const moved = clickToken(key, { sendId: r.sendId, index: 1, urlHash: urlHash('https://shop.example/sale?utm_source=news&id=7') }, now);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: `/public/v1/email/click/${moved}` })).headers.location,
      'https://shop.example/sale?utm_source=news&id=7',
    );
  });

  it('a click of a recipient without profiling consent redirects and is counted, not linked', async () => {
    const r = await recipient(4, { tracked: true });
    const before = await statCount('email_clicked');
    const token = clickToken(
      key,
      { sendId: r.sendId, index: 0, urlHash: urlHash('https://shop.example/sale?utm_source=news&id=7') },
      clock.now(),
    );
    const res = await t.app.inject({ method: 'GET', url: `/public/v1/email/click/${token}` });
    assert.equal(res.statusCode, 302);
    assert.equal(await rowsOf(r.contactId, 'email_clicked'), 0);
    assert.equal(await statCount('email_clicked'), before + 1);
  });

  it('view: the message without tracking, under a policy that runs no script; changes and records nothing', async () => {
    const r = await recipient(5, { tracked: true });
    const stats = await statCount('email_opened');
    const res = await t.app.inject({ method: 'GET', url: path(r.urls.view_in_browser_url) });
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.includes('https://shop.example/sale'));
    assert.doesNotMatch(res.body, /\/public\/v1\/email\/(open|click)\//);
    assert.match(res.headers['content-security-policy'] as string, /sandbox(?![^;]*allow-scripts)/);
    assert.equal(await statCount('email_opened'), stats);
  });

  it('a mail through the gated sender and a real SMTP server carries headers whose one-click link works', async () => {
    const raw: Buffer[] = [];
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          raw.push(Buffer.concat(chunks));
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.server.address() as { port: number }).port;
      await t.services.settings.patch({ smtp: { host: '127.0.0.1', port, secure: false, from: 'News <news@shop.example>' } });
      const r = await recipient(5, { tracked: true });
      const contact = await t.services.contacts.get(r.contactId);
      const html = decorate(HTML.replace('{{ unsubscribe_url }}', r.urls.unsubscribe_url), {
        sendId: r.sendId,
        track: true,
        baseUrl: BASE,
        key,
        now: clock.now(),
      });
      const delivery = await t.services.mail.send({
        to: contact.email,
        contactId: r.contactId,
        purpose: 'marketing',
        caller: 'campaign',
        subject: 'Offers',
        html,
        headers: listUnsubscribeHeaders(BASE, key, r.sendId, clock.now(), 'News <news@shop.example>'),
      });
      assert.equal(delivery.sent, true, JSON.stringify(delivery));
      const parsed = await simpleParser(raw[0]!);
      const header = parsed.headerLines.find((l) => l.key === 'list-unsubscribe')!.line.replace(/\r?\n[ \t]+/g, ' ');
      const oneClick = /<(https:[^>]+)>/.exec(header)![1]!;
      assert.match(header, /<mailto:unsubscribe@shop\.example\?subject=unsubscribe%20[^>]+>/);
      // mailparser folds List-* headers into `list`: read the line as sent.
      assert.equal(
        parsed.headerLines.find((l) => l.key === 'list-unsubscribe-post')?.line,
        'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      );
      assert.ok((parsed.html || '').includes('/public/v1/email/open/'), 'the pixel arrived');
      // What a mailbox provider does with the headers: POST the https link, no cookie.
      const res = await t.app.inject({ method: 'POST', url: path(oneClick), headers: form, payload: 'List-Unsubscribe=One-Click' });
      assert.equal(res.statusCode, 200);
      assert.equal(await level(r.contactId), 3);
    } finally {
      await t.services.settings.patch({ smtp: null });
      // The pooled connection stays open for the next send; closed, the sink's close need not wait it out (30 s).
      await t.services.mail.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('view and click re-render the send through the template step: the person’s own links are found, and shown', async () => {
    // A template step of the test's own (the real one is the template part's): one contact field in a link and the text.
    const step: RenderStep = {
      compile: async (m) => (contact, links) => ({
        subject: m.subject,
        html:
          `<p>Hi ${contact.firstName}</p><a href="https://shop.example/for/${contact.id}">mine</a>` +
          `<a href="${links.unsubscribe_url}">x</a>`,
        text: undefined,
      }),
    };
    const tracking = new TrackingService(
      ctx.db,
      clock,
      new LinkContext(t.services.settings, t.services.secret),
      t.services.interactions,
      renderedBy(step, t.services.contacts, ctx.db),
    );
    const r = await recipient(5, { tracked: true });
    const viewed = await tracking.view(lastSegment(r.urls.view_in_browser_url));
    assert.ok(viewed?.startsWith('<p>Hi Ana</p>'), viewed ?? 'null');
    assert.ok(viewed?.includes('/public/v1/email/unsubscribe/'), 'the send’s own links');
    const url = `https://shop.example/for/${r.contactId}`;
    const token = clickToken(key, { sendId: r.sendId, index: 0, urlHash: urlHash(url) }, clock.now());
    assert.equal((await tracking.click(token))?.url, url);
    // Another person's link is not in this person's message.
    const other = clickToken(key, { sendId: r.sendId, index: 0, urlHash: urlHash(`https://shop.example/for/${newId()}`) }, clock.now());
    assert.equal(await tracking.click(other), null);
  });

  it('speaks the browser’s language or the link’s ?lang=, names the organisation as text, refuses alike in each language', async () => {
    const org = (name: string, extra = {}) => ({
      name,
      postalAddress: null,
      contactEmail: null,
      privacyNoticeUrl: null,
      dpo: null,
      supervisoryAuthority: null,
      ...extra,
    });
    await t.services.settings.patch({ organisation: org('<b>Shop & Co</b>', { privacyNoticeUrl: 'https://shop.example/privacy' }) });
    try {
      const r = await recipient(3, { message: newsletter });
      const gone = await recipient(4);
      await t.services.erasure.erase({ contactIds: [gone.contactId] }, { actor: { type: 'system', id: null } });
      const de = { 'accept-language': 'de-DE,de;q=0.9' };
      for (const res of [
        await t.app.inject({ method: 'GET', url: path(r.urls.unsubscribe_url), headers: de }),
        await t.app.inject({ method: 'GET', url: `${path(r.urls.unsubscribe_url)}?lang=de`, headers: { 'accept-language': 'en' } }),
      ]) {
        assert.equal(res.statusCode, 200);
        assert.match(res.body, /<html lang="de">[\s\S]*<h1>Abmelden<\/h1>/);
        assert.ok(res.body.includes('Sie werden von der Liste „Monthly &lt;news&gt; &amp; more“ entfernt'), res.body);
        assert.match(res.body, /<button type="submit">Abmelden<\/button>/);
        assert.ok(res.body.includes('Diese Seite wird von &lt;b&gt;Shop &amp; Co&lt;/b&gt; bereitgestellt.'));
        assert.ok(res.body.includes('<a href="https://shop.example/privacy">Datenschutzhinweise</a>'));
        assert.ok(!res.body.includes('<b>'), 'markup in the organisation’s name is text');
      }
      const done = await t.app.inject({
        method: 'POST',
        url: path(r.urls.unsubscribe_url),
        headers: { ...form, ...de },
        payload: 'List-Unsubscribe=One-Click',
      });
      assert.equal(done.statusCode, 200);
      assert.match(done.body, /<h1>Sie sind abgemeldet<\/h1>[\s\S]*Sie haben die Liste „Monthly &lt;news&gt; &amp; more“ verlassen\./);
      const en = await t.app.inject({ method: 'GET', url: path(r.urls.unsubscribe_url) });
      assert.match(en.body, /<html lang="en">[\s\S]*removed from the list “Monthly &lt;news&gt; &amp; more”/);
      // An erased recipient's link and a forged one: the same German (and English) refusal.
      for (const headers of [de, {}]) {
        const erased = await t.app.inject({ method: 'GET', url: path(gone.urls.unsubscribe_url), headers });
        const forged = await t.app.inject({ method: 'POST', url: '/public/v1/email/unsubscribe/abc', headers });
        assert.equal(erased.statusCode, 404);
        assert.deepEqual(shape(erased), shape(forged));
      }
      assert.match(
        (await t.app.inject({ method: 'GET', url: '/public/v1/email/view/abc', headers: de })).body,
        /<html lang="de">[\s\S]*<h1>Dieser Link kann nicht verwendet werden<\/h1>/,
      );
    } finally {
      await t.services.settings.patch({ organisation: org('Our organisation') });
    }
  });

  it('limits each client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 301; i++)
      statuses.push((await t.app.inject({ method: 'GET', url: '/public/v1/email/view/x', remoteAddress: '198.51.100.7' })).statusCode);
    assert.deepEqual([...new Set(statuses.slice(0, 300))], [404]);
    assert.equal(statuses[300], 429);
    // Another address is not held back.
    assert.equal((await t.app.inject({ method: 'GET', url: '/public/v1/email/view/x', remoteAddress: '198.51.100.8' })).statusCode, 404);
  });
});
