import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { FakeClock } from '../../lib/clock.ts';
import { escapeHtml } from '../../lib/html.ts';
import { newId } from '../../lib/ids.ts';
import { signToken } from '../../lib/signed.ts';
import { BATCH_QUEUE } from '../email/engine.jobs.ts';
import { CENTER_TTL_MS } from '../email/links.ts';
import { t as say } from '../../i18n/catalogue.ts';

const BASE = 'https://news.example.org';
const ADMIN = { source: 'admin', actor: { type: 'user', id: null } } as const;
const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;\'"';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** What two answers must share to be "the same answer": status, body and every header but the per-request ones. */
function shape(res: LightMyRequestResponse) {
  const { date: _d, 'x-request-id': _r, ...headers } = res.headers;
  return { status: res.statusCode, body: res.body, headers };
}
const path = (url: string) => new URL(url).pathname;
const hidden = (body: string) => /name="form" value="([^"]+)"/.exec(body)?.[1] ?? '';
const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();

forEachDialect('the subscription center', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-06-01T09:00:00.000Z');
  let messageId: string;
  let news: string;
  let offers: string;
  let hostileList: string;

  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ publicBaseUrl: BASE });
    news = (await t.services.lists.create({ name: 'News' })).id;
    offers = (await t.services.lists.create({ name: 'Offers' })).id;
    hostileList = (await t.services.lists.create({ name: `List ${HOSTILE}`, description: HOSTILE })).id;
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
        from_email: 'news@news.example.org',
        reply_to: null,
        subject: 'Offers',
        html: '<html><body><p>Offers</p><a href="{{ subscription_center_url }}">Your subscriptions</a></body></html>',
        text: null,
        blocks: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  after(async () => t.close());

  let n = 0;
  /** A contact at level 4 on the News list, and the subscription-center link of a mail the engine sent it. */
  async function mailed(fields: Record<string, string> = {}) {
    const c = await t.services.contacts.create({ email: `center${n++}@example.com`, firstName: 'Ana', ...fields });
    await t.services.consent.setLevel(c.id, 4, ADMIN);
    await t.services.lists.join(c.id, news, ADMIN);
    await t.services.sends.sendToContact(messageId, c.id);
    await runJobs(t.services, [BATCH_QUEUE]);
    const mail = await ctx.db.kysely.selectFrom('outbox').select('html_body').where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    const url = /href="(https:\/\/news\.example\.org\/public\/v1\/subscription\/[^"]+)"/.exec(mail.html_body ?? '')?.[1];
    assert.ok(url, 'the sent mail holds the subscription center link');
    return { contactId: c.id, url: url!.replaceAll('&amp;', '&') };
  }
  const get = (url: string) => t.app.inject({ method: 'GET', url: path(url) });
  const post = (url: string, payload: string, headers: Record<string, string> = { origin: BASE }) =>
    t.app.inject({ method: 'POST', url: path(url), headers: { ...FORM, ...headers }, payload });
  const ledger = (contactId: string) =>
    ctx.db.kysely.selectFrom('consent_ledger').selectAll().where('contact_id', '=', contactId).orderBy('seq').execute();

  it(
    'follows the link of a sent mail, shows level and lists, and ' + 'lowers the level and leaves a list (source subscription_center)',
    async () => {
      const { contactId, url } = await mailed();
      const page = await get(url);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<html lang="en">/);
      assert.match(page.body, /<label for="level-4">Marketing \(current\)<\/label>/);
      assert.match(page.body, /id="level-4" value="4" checked/);
      assert.match(page.body, /value="[^"]+" checked>\n<label for="list-\d">News<\/label>/);
      assert.equal(page.headers['referrer-policy'], 'same-origin');
      const before = (await ledger(contactId)).length;
      const saved = await post(
        url,
        form([
          ['form', hidden(page.body)],
          ['level', '2'],
          ['list', offers],
        ]),
        { origin: BASE, 'user-agent': 'UA/1' },
      );
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal((await t.services.contacts.get(contactId)).consentLevel, 2);
      assert.deepEqual(
        (await t.services.lists.memberships(contactId)).map((m) => m.name),
        ['Offers'],
      );
      const entries = (await ledger(contactId)).slice(before);
      assert.deepEqual(
        entries.map((e) => [e.kind, e.old_value, e.new_value, e.source, e.list_id]),
        [
          ['level', 4, 2, 'subscription_center', null],
          ['list_leave', 1, 0, 'subscription_center', news],
          ['list_join', 0, 1, 'subscription_center', offers],
        ],
      );
      assert.ok(entries.every((e) => e.evidence_ua === 'UA/1' && e.notice_hash));
      const notice = await ctx.db.kysely
        .selectFrom('notices')
        .select('text')
        .where('hash', '=', entries[0]!.notice_hash!)
        .executeTakeFirstOrThrow();
      assert.ok(notice.text.startsWith(say('en', 'center.levelNotice')) && notice.text.includes('Transactional'), notice.text);
      // Posting the same choices again changes and records nothing.
      const again = await get(url);
      await post(
        url,
        form([
          ['form', hidden(again.body)],
          ['level', '2'],
          ['list', offers],
        ]),
      );
      assert.equal((await ledger(contactId)).length, before + 3);
      // Any level, higher too.
      await post(
        url,
        form([
          ['form', hidden(again.body)],
          ['level', '5'],
        ]),
      );
      assert.equal((await t.services.contacts.get(contactId)).consentLevel, 5);
    },
  );

  it('forged, expired, altered and foreign links, and an erased person, get byte-identical refusals', async () => {
    const { contactId, url } = await mailed();
    const token = url.slice(url.lastIndexOf('/') + 1);
    const key = await t.services.secret.key();
    const far = new Date(clock.now().getTime() + 86_400_000);
    const other = await mailed();
    const otherToken = other.url.slice(other.url.lastIndexOf('/') + 1);
    const bad = [
      signToken(Buffer.alloc(32, 7), 'subscription_center', contactId, far),
      `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`,
      token.replace(/^[^.]+/, Buffer.from('portal').toString('base64url')),
      signToken(key, 'portal', contactId, far),
      signToken(key, 'unsubscribe', contactId, far),
      signToken(key, 'subscription_center', newId(), far),
      'not-a-token',
      `${token}.x`,
    ];
    const first = shape(await get(`${BASE}/public/v1/subscription/${bad[0]}`));
    assert.equal(first.status, 404);
    assert.match(first.body, new RegExp(escapeHtml(say('en', 'portal.refused.title'))));
    for (const b of bad) {
      assert.deepEqual(shape(await get(`${BASE}/public/v1/subscription/${b}`)), first, b);
      // On the portal, the one genuine portal token above is no refusal; the center's own token is.
      const onPortal = b === bad[3] ? token : b;
      assert.deepEqual(shape(await t.app.inject({ method: 'GET', url: `/public/v1/privacy/${onPortal}` })), first, b);
    }
    // Expired: the link works until its 60 days are over.
    clock.advance(CENTER_TTL_MS - 1000);
    assert.equal((await get(other.url)).statusCode, 200);
    clock.advance(2000);
    assert.deepEqual(shape(await get(other.url)), first);
    clock.advance(-CENTER_TTL_MS - 1000);
    assert.equal((await get(other.url)).statusCode, 200, otherToken);
    // Erased: the link finds nobody.
    await t.services.erasure.erase({ contactIds: [other.contactId] }, { actor: { type: 'system', id: null } });
    assert.deepEqual(shape(await get(other.url)), first);
  });

  it('shows markup in contact fields and list names as text', async () => {
    const { url } = await mailed({ firstName: HOSTILE, lastName: HOSTILE, company: HOSTILE });
    const page = await get(url);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(escapeHtml(`List ${HOSTILE}`)));
    assert.ok(page.body.includes(escapeHtml(HOSTILE)));
    assert.doesNotMatch(page.body, /<script|<img|onerror=alert\(1\)>/);
    assert.ok(page.body.includes(`value="${hostileList}"`));
  });

  it('CSRF: a post without the page’s field, with another link’s field, or from another origin changes nothing', async () => {
    const { contactId, url } = await mailed();
    const other = await mailed();
    const page = await get(url);
    const theirs = hidden((await get(other.url)).body);
    const before = (await ledger(contactId)).length;
    const refused = shape(await get(`${BASE}/public/v1/subscription/forged`));
    for (const [body, headers] of [
      [form([['level', '0']]), { origin: BASE }],
      [
        form([
          ['form', ''],
          ['level', '0'],
        ]),
        { origin: BASE },
      ],
      [
        form([
          ['form', 'forged'],
          ['level', '0'],
        ]),
        { origin: BASE },
      ],
      [
        form([
          ['form', theirs],
          ['level', '0'],
        ]),
        { origin: BASE },
      ],
      [
        form([
          ['form', hidden(page.body)],
          ['level', '0'],
        ]),
        { origin: 'https://evil.example' },
      ],
      [
        form([
          ['form', hidden(page.body)],
          ['level', '0'],
        ]),
        { origin: 'null' },
      ],
      [
        form([
          ['form', hidden(page.body)],
          ['level', '0'],
        ]),
        {},
      ],
      [
        form([
          ['form', hidden(page.body)],
          ['level', '0'],
        ]),
        { referer: 'https://evil.example/news.example.org' },
      ],
      [
        form([
          ['form', hidden(page.body)],
          ['level', '9'],
        ]),
        { origin: BASE },
      ],
      [
        form([
          ['form', hidden(page.body)],
          ['form', hidden(page.body)],
          ['level', '0'],
        ]),
        { origin: BASE },
      ],
    ] as [string, Record<string, string>][]) {
      const res = await post(url, body, headers);
      assert.deepEqual(shape(res), refused, `${body} ${JSON.stringify(headers)}`);
    }
    assert.equal((await ledger(contactId)).length, before);
    assert.equal((await t.services.contacts.get(contactId)).consentLevel, 4);
    // The same-origin Referer alone is accepted (a browser that sends no Origin).
    const ok = await post(
      url,
      form([
        ['form', hidden(page.body)],
        ['level', '0'],
        ['list', news],
      ]),
      { referer: url },
    );
    assert.equal(ok.statusCode, 200);
    assert.equal((await t.services.contacts.get(contactId)).consentLevel, 0);
  });
});
