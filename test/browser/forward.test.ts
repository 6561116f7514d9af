import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { newId } from '../../src/lib/ids.ts';
import { FORWARD_TTL_MS, forwardUrl } from '../../src/modules/email/module.ts';
import { FORWARD_QUEUE } from '../../src/modules/forward/forward.service.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { freshDatabase, type ScratchDb } from '../helpers/db.ts';
import { runJobs } from '../helpers/jobs.ts';
import { assertAccessible, browserSkip, openBrowser, type Session, screenshot } from './harness.ts';

const admin = { source: 'admin' as const, actor: { type: 'user', id: null } };

// The forward page in a real browser with JavaScript off (it needs none): the labelled form, an error next to its field,
// the answer, the refusal and the friend's neutral page, each passing axe-core. The server side runs on both databases in
// src/modules/forward/forward.http.test.ts; the page does not change with the database.
describe('forward to a friend in the browser [sqlite]', { skip: browserSkip }, () => {
  let scratch: ScratchDb;
  let t: TestApp;
  let s: Session;
  let base: string;
  let link: string;

  before(async () => {
    scratch = await freshDatabase('sqlite');
    t = await testApp(scratch.db);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    await t.services.settings.patch({ publicBaseUrl: base, smtp: null });
    const c = await t.services.contacts.create({ email: 'ana.browser@example.com', firstName: 'Ana' });
    await t.services.consent.setLevel(c.id, 4, admin);
    const m = await t.services.messages.create({
      name: 'News',
      purpose: 'marketing',
      subject: 'Spring <news> for {{ contact.firstName }}',
      html: '<html><body><p>News</p><a href="{{ forward_url }}">Forward</a> <a href="{{ unsubscribe_url }}">Leave</a></body></html>',
    });
    const campaignId = newId();
    const sendId = newId();
    const now = new Date().toISOString();
    await scratch.db.kysely
      .insertInto('campaigns')
      .values({ id: campaignId, message_id: m.id, segment_id: newId(), status: 'done', recipients: 1, created_at: now })
      .execute();
    await scratch.db.kysely
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
    link = forwardUrl(base, await t.services.secret.key(), { contactId: c.id, sendId }, new Date(Date.now() + FORWARD_TTL_MS));
    s = await openBrowser();
  });
  after(async () => {
    await s?.close();
    await t?.close();
    await scratch?.drop();
  });

  /**
   * axe-core needs script: the page a script-less browser shows is judged as it is, in a page with script on (same
   * markup and styles, the page's own CSP aside).
   */
  async function judged(page: Page, what: string): Promise<void> {
    await s.page.setContent(await page.content());
    await assertAccessible(s.page, what);
  }

  /** A page with JavaScript off, as a person with scripts blocked sees it. */
  async function noScript(): Promise<Page> {
    const context = await s.browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    return context.newPage();
  }

  test('the form works without JavaScript, shows an error next to its field, and every page passes axe', async () => {
    const page = await noScript();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Forward this message to a friend' }).waitFor();
    assert.match(await page.content(), /Spring &lt;news&gt; for Ana/);
    await judged(page, 'forward page');
    await screenshot(page, 'forward-page');
    await page.getByLabel('Your friend’s email address').fill('not an address');
    await page.getByLabel('A short note (optional)').fill('<b>hi</b>');
    await page.getByRole('button', { name: 'Send to my friend' }).click();
    await page.getByText('Please enter an email address').waitFor();
    await judged(page, 'forward page with an error');
    await page.getByLabel('Your friend’s email address').fill('sam.friend@example.net');
    await page.getByRole('button', { name: 'Send to my friend' }).click();
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    await judged(page, 'forward sent');
    assert.equal(await runJobs(t.services, [FORWARD_QUEUE]), 1);
    const copy = (await t.services.mail.listOutbox({ limit: 10 })).items.find((i) => i.to === 'sam.friend@example.net');
    assert.ok(copy?.html?.includes('&lt;b&gt;hi&lt;/b&gt;'), 'the note arrived as text');
    await page.goto(`${base}/public/v1/forward/about`);
    await judged(page, 'forward about');
    await page.goto(`${link}x`);
    await page.getByRole('heading', { name: 'This link cannot be used' }).waitFor();
    await judged(page, 'forward refusal');
  });
});
