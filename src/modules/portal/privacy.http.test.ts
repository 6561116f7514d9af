import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { FakeClock } from '../../lib/clock.ts';
import { escapeHtml } from '../../lib/html.ts';
import { verifyToken } from '../../lib/signed.ts';
import { PORTAL_TTL_MS, subscriptionCenterUrl } from '../email/links.ts';
import { RECEIPT_QUEUE } from '../email/receipts.service.ts';
import { t as say } from '../../i18n/catalogue.ts';

const BASE = 'https://news.example.org';
const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;\'"';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const path = (url: string) => new URL(url).pathname;
const hidden = (body: string) => /name="form" value="([^"]+)"/.exec(body)?.[1] ?? '';
const tokenOf = (url: string) => path(url).split('/').pop()!;

forEachDialect('the privacy portal', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-06-01T09:00:00.000Z');
  let listId: string;

  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ publicBaseUrl: BASE, consentReceipts: true });
    listId = (await t.services.lists.create({ name: `Club ${HOSTILE}` })).id;
    await t.services.segments.create({
      name: `Germans ${HOSTILE}`,
      kind: 'dynamic',
      filter: { and: [{ field: 'country', op: '=', value: 'DE' }, { list: listId }] },
    });
    await t.services.segments.create({ name: 'Nobody', kind: 'dynamic', filter: { field: 'country', op: '=', value: 'FR' } });
  });
  after(async () => t.close());

  let n = 0;
  /**
   * A contact who joins the list in the subscription center (its link made as a mail makes it),
   * and the portal link of the consent receipt that change brings.
   */
  async function fromReceipt(fields: Record<string, string> = {}) {
    const c = await t.services.contacts.create({ email: `portal${n++}@example.com`, country: 'DE', ...fields });
    const key = await t.services.secret.key();
    const center = subscriptionCenterUrl(BASE, key, c.id, new Date(clock.now().getTime() + 86_400_000));
    const page = await t.app.inject({ method: 'GET', url: path(center) });
    const saved = await t.app.inject({
      method: 'POST',
      url: path(center),
      headers: { ...FORM, origin: BASE },
      payload: new URLSearchParams([
        ['form', hidden(page.body)],
        ['level', '3'],
        ['list', listId],
      ]).toString(),
    });
    assert.equal(saved.statusCode, 200, saved.body);
    await runJobs(t.services, ['events.dispatch', RECEIPT_QUEUE]);
    const receipts = await ctx.db.kysely.selectFrom('outbox').select('text_body').where('contact_id', '=', c.id).execute();
    assert.equal(receipts.length, 2, 'one receipt per change');
    const url = /https:\/\/news\.example\.org\/public\/v1\/privacy\/\S+/.exec(receipts[0]!.text_body ?? '')?.[0];
    assert.ok(url, 'the receipt holds the portal link');
    return { contactId: c.id, email: c.email, url: url! };
  }
  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('shows profile, level, history with notices, lists and segments with why, escaped; downloads the export', async () => {
    const { contactId, url } = await fromReceipt({ firstName: HOSTILE, company: HOSTILE });
    const res = await get(path(url));
    assert.equal(res.statusCode, 200, res.body);
    const b = res.body;
    assert.doesNotMatch(b, /<script|<img|onerror=alert\(1\)>/);
    assert.ok(b.includes(`<td class="v">${escapeHtml(HOSTILE)}</td>`), 'the first name, as text');
    assert.ok(b.includes(`<p>Subscriptions: `), 'the level by name and description');
    assert.ok(b.includes(escapeHtml(say('en', 'portal.levelChange', { from: '(none)', to: 'Subscriptions' }))));
    assert.ok(b.includes(escapeHtml(say('en', 'portal.joined', { list: `Club ${HOSTILE}` }))));
    assert.ok(b.includes(escapeHtml(say('en', 'center.levelNotice'))), 'the notice shown');
    assert.ok(b.includes(`<li>${escapeHtml(`Club ${HOSTILE}`)}</li>`), 'the list');
    assert.ok(b.includes(escapeHtml(`Germans ${HOSTILE}`)), 'the segment');
    assert.ok(b.includes('A condition on your country: holds for you'));
    assert.ok(!b.includes('Nobody'), 'a segment they are not in');
    assert.doesNotMatch(b, /DE<\/li>|value="DE"/, 'values compared are never shown');
    // The other page's link never outlives this one's.
    const center = /href="(https:\/\/news\.example\.org\/public\/v1\/subscription\/[^"]+)"/.exec(b)![1]!;
    const own = verifyToken(await t.services.secret.key(), 'subscription_center', tokenOf(center), clock.now());
    assert.ok(own.ok && own.subject === contactId);
    assert.ok(parseInt(tokenOf(center).split('.')[2]!, 36) <= parseInt(tokenOf(url).split('.')[2]!, 36));

    const page = await get(`${path(url)}/export?format=html`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /<script|<img/);
    const file = await get(`${path(url)}/export?format=json`);
    assert.equal(file.statusCode, 200);
    const doc = JSON.parse(file.body);
    assert.equal(doc.subject.contactId, contactId);
    assert.equal(doc.tables.contacts.rows[0].first_name, HOSTILE);
    assert.equal((await t.services.audit.list({ action: 'portal.export' }, 100)).length >= 2, true);
  });

  it('refuses an expired portal link with the one page; a link from a page never outlives it', async () => {
    const { url } = await fromReceipt();
    assert.equal((await get(path(url))).statusCode, 200);
    const refused = await get('/public/v1/privacy/forged');
    clock.advance(PORTAL_TTL_MS);
    const late = await get(path(url));
    assert.equal(late.statusCode, 404);
    assert.equal(late.body, refused.body);
    assert.equal((await get(`${path(url)}/export?format=json`)).body, refused.body);
    clock.advance(-PORTAL_TTL_MS);
  });

  it('asks for erasure: a verified erasure case, once; not without the page’s field or from another origin', async () => {
    const { email, url } = await fromReceipt();
    const page = await get(path(url));
    const action = `${path(url)}/erasure`;
    const refused = (await get('/public/v1/privacy/forged')).body;
    const cases = async () => (await t.services.requests.list({ email }, 10)).filter((r) => r.type === 'erasure');
    for (const [payload, headers] of [
      ['', { origin: BASE }],
      ['form=forged', { origin: BASE }],
      [`form=${encodeURIComponent(hidden(page.body))}`, { origin: 'https://evil.example' }],
      [`form=${encodeURIComponent(hidden(page.body))}`, {}],
    ] as [string, Record<string, string>][]) {
      const res = await t.app.inject({ method: 'POST', url: action, headers: { ...FORM, ...headers }, payload });
      assert.equal(res.statusCode, 404);
      assert.equal(res.body, refused);
    }
    assert.equal((await cases()).length, 0);
    const post = () =>
      t.app.inject({
        method: 'POST',
        url: action,
        headers: { ...FORM, origin: BASE },
        payload: `form=${encodeURIComponent(hidden(page.body))}`,
      });
    assert.equal((await post()).statusCode, 200);
    assert.equal((await post()).statusCode, 200);
    const open = await cases();
    assert.equal(open.length, 1, 'one case, however often the button is pressed');
    assert.equal(open[0]!.status, 'verified');
    assert.equal(open[0]!.channel, 'public');
  });

  it('shows any text in a contact field as text (property)', async () => {
    const c = await fromReceipt();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40, unit: 'binary' }), async (raw) => {
        const name = raw.replace(/\u0000/g, '').replace(/[\uD800-\uDFFF]/g, '') || '<';
        // Text the contacts module refuses (control characters) never reaches a page.
        const stored = await t.services.contacts.update(c.contactId, { lastName: `<b>${name}</b>` }).catch(() => null);
        fc.pre(stored !== null);
        const b = (await get(path(c.url))).body;
        assert.ok(b.includes(`<td class="v">${escapeHtml(stored!.lastName)}</td>`));
        assert.ok(!b.includes('<b>'));
      }),
      { numRuns: 25 },
    );
  });
});
