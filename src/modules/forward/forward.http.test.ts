import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { simpleParser } from 'mailparser';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { signToken } from '../../lib/signed.ts';
import { CLI_ACTOR } from '../audit/audit.model.ts';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { type ScriptedSink, startScriptedSink } from '../../../test/helpers/smtp-script-sink.ts';
import { FORWARD_TTL_MS, forwardUrl } from '../email/module.ts';
import { BATCH_QUEUE, PREPARE_QUEUE } from '../email/engine.jobs.ts';
import { FORWARD_QUEUE } from './forward.service.ts';

const BASE = 'https://news.example.org';
const admin = { source: 'admin' as const, actor: { type: 'user', id: null } };
const HTML =
  '<html><body><h1>Hello {{ contact.firstName }}</h1><a href="https://shop.example/sale">Sale</a> ' +
  '<a href="{{ view_in_browser_url }}">View</a> <a href="{{ subscription_center_url }}">Subscriptions</a> ' +
  '<a href="{{ forward_url }}">Forward</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>';

/** What two answers must share to be "the same answer": status, body and every header but the per-request ones. */
function shape(res: LightMyRequestResponse) {
  const { date: _d, 'x-request-id': _r, ...headers } = res.headers;
  return { status: res.statusCode, body: res.body, headers };
}
const path = (url: string) => url.slice(BASE.length);
const hidden = (body: string) => /name="form" value="([^"]+)"/.exec(body)?.[1] ?? '';
const posted = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

forEachDialect('forward to a friend', (ctx) => {
  let t: TestApp;
  let sink: ScriptedSink;
  let key: Buffer;
  let messageId: string;
  let campaignId: string;
  const clock = new FakeClock('2026-06-01T09:00:00.000Z');
  let ip = 1;

  before(async () => {
    t = await testApp(ctx.db, { clock });
    sink = await startScriptedSink();
    await t.services.settings.patch({ publicBaseUrl: BASE, smtp: sink.relay() });
    key = await t.services.secret.key();
    const now = clock.now().toISOString();
    messageId = newId();
    await ctx.db.kysely
      .insertInto('messages')
      .values({
        id: messageId,
        name: 'Summer',
        purpose: 'marketing',
        list_id: null,
        from_name: 'The Shop',
        from_email: 'news@shop.example',
        reply_to: null,
        subject: 'Summer offers for {{ contact.firstName }}',
        html: HTML,
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    campaignId = newId();
    await ctx.db.kysely
      .insertInto('campaigns')
      .values({ id: campaignId, message_id: messageId, segment_id: newId(), status: 'done', recipients: 1, created_at: now })
      .execute();
  });
  after(async () => {
    await t.close();
    await sink.close();
  });

  /** A contact at `level` with a campaign's send to them (as the engine leaves one), and its forward link. */
  async function sender(level: number, opts: { firstName?: string; campaign?: boolean } = {}) {
    const c = await t.services.contacts.create({ email: `s${newId().slice(-12)}@example.com`, firstName: opts.firstName ?? 'Ana' });
    if (level > 0) await t.services.consent.setLevel(c.id, level, admin);
    const sendId = newId();
    const now = clock.now().toISOString();
    const campaign = opts.campaign !== false;
    await ctx.db.kysely
      .insertInto('sends')
      .values({
        id: sendId,
        message_id: messageId,
        contact_id: c.id,
        origin: campaign ? `campaign:${campaignId}` : `direct:${newId()}`,
        campaign_id: campaign ? campaignId : null,
        purpose: 'marketing',
        status: 'sent',
        reason: null,
        tracked: 1,
        attempts: 1,
        not_before: null,
        smtp_message_id: `<${sendId}@shop.example>`,
        queued_at: now,
        sent_at: now,
        updated_at: now,
      })
      .execute();
    const url = forwardUrl(BASE, key, { contactId: c.id, sendId }, new Date(clock.now().getTime() + FORWARD_TTL_MS));
    return { contactId: c.id, sendId, url, email: c.email };
  }

  const open = (url: string) => t.app.inject({ method: 'GET', url: path(url) });
  /** Posts the page's form as a browser on this installation's page does (its hidden field, its origin). */
  async function forward(url: string, fields: { email: string; note?: string }, headers: Record<string, string> = { origin: BASE }) {
    const form = hidden((await open(url)).body);
    return t.app.inject({
      method: 'POST',
      url: path(url),
      // Each post from a client address of its own: the per-client limit has a test of its own.
      remoteAddress: `10.${ip++ % 250}.0.1`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: posted({ form, email: fields.email, ...(fields.note === undefined ? {} : { note: fields.note }) }),
    });
  }
  const friend = () => `f${newId().slice(-12)}@friends.example`;
  const mailsTo = async (address: string) =>
    Promise.all(
      sink
        .messages()
        .filter((m) => m.to === address.toLowerCase())
        .map((m) => simpleParser(m.raw)),
    );
  const forwardsOf = async (contactId: string) =>
    ctx.db.kysely.selectFrom('forward_messages').selectAll().where('contact_id', '=', contactId).execute();
  const recipients = async () => ctx.db.kysely.selectFrom('forward_recipients').selectAll().execute();

  it('the page says what will happen and offers a labelled form; the friend gets the message once, and becomes no contact', async () => {
    const s = await sender(4);
    const page = await open(s.url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="en">/);
    assert.match(page.body, /Summer offers for Ana/);
    assert.match(page.body, /once, from Assent|once, from /);
    assert.match(page.body, /30 days only to send this message/);
    assert.match(page.body, /<label for="email">/);
    assert.match(page.body, /<label for="note">/);
    assert.equal(page.headers['referrer-policy'], 'same-origin');
    const to = friend();
    const contactsBefore = (await t.services.contacts.list({}, 1000)).length;
    const first = await forward(s.url, { email: to, note: 'Look!' });
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /your friend gets the message once/);
    assert.equal(await runJobs(t.services, [FORWARD_QUEUE]), 1);
    assert.equal(sink.count(to), 1);
    // Posted again (in another case): nothing more is sent.
    const again = await forward(s.url, { email: to.toUpperCase(), note: 'Look again!' });
    assert.deepEqual(shape(again), shape(first));
    await runJobs(t.services, [FORWARD_QUEUE]);
    assert.equal(sink.count(to), 1);
    const rows = await forwardsOf(s.contactId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, 'sent');
    assert.equal((await t.services.contacts.list({}, 1000)).length, contactsBefore, 'no contact is made for the friend');
    assert.equal(await t.services.contacts.list({ q: to }, 10).then((l) => l.length), 0);
    const [mail] = await mailsTo(to);
    assert.equal(mail!.subject, 'Summer offers for Ana');
    assert.match(String(mail!.html), /Ana thought you would like this/);
    assert.match(String(mail!.html), /Look!/);
    assert.match(mail!.text ?? '', /^Ana thought you would like this\n\nLook!/);
    assert.match(String(mail!.from?.text), /news@shop\.example/);
  });

  it('the friend’s copy has none of the sender’s links, no pixel and no tracked link, and records nothing for anyone', async () => {
    const s = await sender(5);
    const to = friend();
    await forward(s.url, { email: to });
    await runJobs(t.services, [FORWARD_QUEUE]);
    const [mail] = await mailsTo(to);
    const html = String(mail!.html);
    const text = mail!.text ?? '';
    for (const body of [html, text]) {
      assert.doesNotMatch(body, /\/public\/v1\/email\//, 'no unsubscribe, view, open or click link of the sender');
      assert.doesNotMatch(body, /\/public\/v1\/subscription\/|\/public\/v1\/privacy\//, 'no subscription center or portal');
      assert.doesNotMatch(body, new RegExp(s.url.slice(s.url.lastIndexOf('/') + 1).slice(0, 40)), 'not the sender’s forward link');
      assert.match(body, /\/public\/v1\/forward\/about/);
    }
    assert.match(html, /href="https:\/\/shop\.example\/sale"/, 'the message’s own links stay as they are');
    assert.equal(mail!.headers.get('list-unsubscribe'), undefined);
    const interactions = await ctx.db.kysely.selectFrom('interactions').select('id').where('contact_id', '=', s.contactId).execute();
    assert.equal(interactions.length, 0);
    const about = await t.app.inject({ method: 'GET', url: '/public/v1/forward/about' });
    assert.equal(about.statusCode, 200);
    assert.match(about.body, /not on any of our lists/);
  });

  it('markup in the note and in the sender’s name arrives as text', async () => {
    const s = await sender(4, { firstName: '<b onmouseover="x()">Eve</b>' });
    const to = friend();
    const note = '<script>alert("hi")</script> & <a href="https://evil.example">click</a>\nsecond line';
    const page = await open(s.url);
    assert.doesNotMatch(page.body, /<b onmouseover/);
    assert.match(page.body, /&lt;b onmouseover=&quot;x\(\)&quot;&gt;Eve&lt;\/b&gt;/);
    await forward(s.url, { email: to, note });
    await runJobs(t.services, [FORWARD_QUEUE]);
    const [mail] = await mailsTo(to);
    const html = String(mail!.html);
    assert.doesNotMatch(html, /<script>|<b onmouseover|href="https:\/\/evil\.example"/);
    assert.match(
      html,
      /&lt;script&gt;alert\(&quot;hi&quot;\)&lt;\/script&gt; &amp; &lt;a href=&quot;https:\/\/evil\.example&quot;&gt;click/,
    );
    assert.match(html, /&lt;b onmouseover=&quot;x\(\)&quot;&gt;Eve&lt;\/b&gt; thought you would like this/);
    assert.match(html, /click&lt;\/a&gt;<br>second line/);
    assert.match(mail!.text ?? '', /<script>alert\("hi"\)<\/script>/, 'the text part shows the note as typed');
  });

  it('no marketing consent, a suppressed friend, a friend who is a contact without it: nothing sent, the same answer', async () => {
    const ok = await sender(4);
    const okAnswer = await forward(ok.url, { email: friend() });
    assert.equal(okAnswer.statusCode, 200);
    // The sender may not be sent marketing: the forward is not made.
    const below = await sender(3);
    const noConsent = friend();
    assert.deepEqual(shape(await forward(below.url, { email: noConsent })), shape(okAnswer));
    // An erased person's address (suppressed).
    const erased = friend();
    const gone = await t.services.contacts.create({ email: erased });
    await t.services.erasure.erase({ contactIds: [gone.id] }, { actor: CLI_ACTOR });
    const s2 = await sender(4);
    assert.deepEqual(shape(await forward(s2.url, { email: erased })), shape(okAnswer));
    // A contact who lowered their consent below marketing (unsubscribed).
    const known = friend();
    await t.services.contacts.create({ email: known });
    const s3 = await sender(4);
    assert.deepEqual(shape(await forward(s3.url, { email: known })), shape(okAnswer));
    await runJobs(t.services, [FORWARD_QUEUE]);
    for (const to of [noConsent, erased, known]) assert.equal(sink.count(to), 0, to);
    for (const s of [below, s2, s3]) assert.equal((await forwardsOf(s.contactId))[0]!.status, 'refused');
    // A refused forward forgets the friend's address at once.
    const left = (await recipients()).map((r) => r.email);
    for (const to of [noConsent, erased, known]) assert.ok(!left.includes(to), to);
  });

  it('a bad link, a foreign or missing form field, another origin: the one refusal, and nothing stored or sent', async () => {
    const s = await sender(4);
    const other = await sender(4);
    const direct = await sender(4, { campaign: false });
    const erasedSender = await sender(4);
    const erasedPage = await open(erasedSender.url);
    await t.services.erasure.erase({ contactIds: [erasedSender.contactId] }, { actor: CLI_ACTOR });
    const token = s.url.slice(s.url.lastIndexOf('/') + 1);
    const [p, sub, exp, sig] = token.split('.') as [string, string, string, string];
    const links = [
      `${BASE}/public/v1/forward/${p}.${sub}.${exp}.${sig.slice(0, -2)}xx`,
      `${BASE}/public/v1/forward/${p}.${Buffer.from(`${other.contactId}/${s.sendId}`).toString('base64url')}.${exp}.${sig}`,
      `${BASE}/public/v1/forward/${signToken(key, 'portal', `${s.contactId}/${s.sendId}`, new Date(clock.now().getTime() + 86_400_000))}`,
      `${BASE}/public/v1/forward/` +
        `${signToken(key, 'forward', `${other.contactId}/${s.sendId}`, new Date(clock.now().getTime() + 86_400_000))}`,
      direct.url,
      erasedSender.url,
      `${BASE}/public/v1/forward/not-a-token`,
    ];
    const refusal = shape(await open(links[0]!));
    assert.equal(refusal.status, 404);
    assert.match(refusal.body, /This link cannot be used/);
    for (const l of links) assert.deepEqual(shape(await open(l)), refusal, l);
    const to = friend();
    const form = hidden((await open(s.url)).body);
    const post = (url: string, fields: Record<string, string>, headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: path(url),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: posted(fields),
      });
    const foreignForm = hidden((await open(other.url)).body);
    const refusals = [
      await post(links[1]!, { form, email: to }, { origin: BASE }),
      await post(erasedSender.url, { form: hidden(erasedPage.body), email: to }, { origin: BASE }),
      await post(s.url, { form: foreignForm, email: to }, { origin: BASE }),
      await post(s.url, { form: 'x', email: to }, { origin: BASE }),
      await post(s.url, { form, email: to }, { origin: 'https://evil.example' }),
      await post(s.url, { form, email: to }, { origin: 'null' }),
      await post(s.url, { form, email: to }, { referer: 'https://evil.example/page' }),
      await post(s.url, { form, email: to }, {}),
    ];
    for (const r of refusals) assert.deepEqual(shape(r), refusal);
    // A link expired since: the same.
    clock.advance(FORWARD_TTL_MS + 1000);
    try {
      assert.deepEqual(shape(await open(s.url)), refusal);
      assert.deepEqual(shape(await post(s.url, { form, email: to }, { origin: BASE })), refusal);
    } finally {
      clock.advance(-(FORWARD_TTL_MS + 1000));
    }
    assert.equal((await forwardsOf(s.contactId)).length, 0);
    assert.equal(await runJobs(t.services, [FORWARD_QUEUE]), 0);
    assert.equal(sink.count(to), 0);
  });

  it('an invalid address or a note too long: the form again with the error beside its field, nothing stored', async () => {
    const s = await sender(4);
    const bad = await forward(s.url, { email: 'not an address', note: 'x'.repeat(501) });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<p class="error" id="email-error">/);
    assert.match(bad.body, /aria-invalid="true" aria-describedby="email-error email-hint"/);
    assert.match(bad.body, /<p class="error" id="note-error">/);
    assert.match(bad.body, /value="not an address"/);
    assert.equal((await forwardsOf(s.contactId)).length, 0);
    const longButFine = await forward(s.url, { email: friend(), note: 'é'.repeat(500) });
    assert.equal(longButFine.statusCode, 200);
  });

  it('a link forwards to a few friends a day, not a list: more are dropped with the same answer', async () => {
    const s = await sender(4);
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(shape(await forward(s.url, { email: friend() })));
    for (const a of answers) assert.deepEqual(a, answers[0]);
    assert.equal((await forwardsOf(s.contactId)).length, 5);
  });

  it('a client posting too often is told to wait (429), and its posts beyond the limit store nothing', async () => {
    const s = await sender(4);
    const form = hidden((await open(s.url)).body);
    const codes: number[] = [];
    for (let i = 0; i < 22; i++)
      codes.push(
        (
          await t.app.inject({
            method: 'POST',
            url: path(s.url),
            remoteAddress: '192.0.2.77',
            headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE },
            payload: posted({ form, email: friend() }),
          })
        ).statusCode,
      );
    assert.deepEqual(codes.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.deepEqual(codes.slice(20), [429, 429]);
    assert.equal((await forwardsOf(s.contactId)).length, 5);
  });

  it('the merge tag in a campaign renders a working link', async () => {
    const company = `fwd-${newId().slice(-8)}`;
    const c = await t.services.contacts.create({ email: `c${newId().slice(-10)}@example.com`, firstName: 'Lena', company });
    await t.services.consent.setLevel(c.id, 4, admin);
    const m = await t.services.messages.create({
      name: 'Campaign with forward',
      purpose: 'marketing',
      subject: 'Hi {{ contact.firstName }}',
      html: '<html><body><p>News</p><a href="{{ forward_url }}">Forward</a> <a href="{{ unsubscribe_url }}">Leave</a></body></html>',
    });
    const seg = await t.services.segments.create({ name: company, kind: 'dynamic', filter: { field: 'company', op: '=', value: company } });
    await t.services.campaigns.start(m.id, seg.id, null);
    await runJobs(t.services, [PREPARE_QUEUE, BATCH_QUEUE]);
    const [got] = await mailsTo(c.email);
    const link = /href="(https:\/\/news\.example\.org\/public\/v1\/forward\/[^"]+)"/.exec(String(got!.html))?.[1];
    assert.ok(link, 'the mail holds a forward link');
    const page = await open(link);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Hi Lena/);
    const to = friend();
    assert.equal((await forward(link, { email: to })).statusCode, 200);
    await runJobs(t.services, [FORWARD_QUEUE]);
    assert.equal(sink.count(to), 1);
  });

  it('erasing the sender removes their forwards; erasing the friend’s address removes the rows naming it', async () => {
    const s = await sender(4);
    const to = friend();
    await forward(s.url, { email: to });
    const s2 = await sender(4);
    const to2 = friend();
    await forward(s2.url, { email: to2 });
    await runJobs(t.services, [FORWARD_QUEUE]);
    await t.services.erasure.erase({ contactIds: [s.contactId] }, { actor: CLI_ACTOR });
    assert.equal((await forwardsOf(s.contactId)).length, 0);
    assert.ok(!(await recipients()).some((r) => r.email === to));
    await t.services.erasure.erase({ emails: [to2] }, { actor: CLI_ACTOR });
    assert.ok(!(await recipients()).some((r) => r.email === to2));
    assert.equal((await forwardsOf(s2.contactId)).length, 1, 'the sender’s own row stays (it holds no address)');
  });

  it('the sender’s access export has their forwards, without the friend’s address', async () => {
    const s = await sender(4);
    const to = friend();
    assert.equal((await forward(s.url, { email: to, note: 'For you' })).statusCode, 200);
    const x = await t.services.accessExports.build(s.contactId);
    const rows = x.tables.forward_messages?.rows ?? [];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.note, 'For you');
    assert.doesNotMatch(JSON.stringify(x), new RegExp(to.replace(/\./g, '\\.')));
    const forFriend = await t.services.accessExports.buildForEmail(to);
    assert.equal(forFriend.tables.forward_recipients?.rows.length, 1);
  });
});
