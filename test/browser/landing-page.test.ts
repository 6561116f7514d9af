// A landing page served by Assent (issue 15, point 2 and the acceptance's first line): with JavaScript
// DISABLED, a person opens /p/{slug}, fills the form and sends it; the contact, its consent level and
// the ledger entry with the notice text shown are then seen through the API. A field sent invalid comes
// back with its message next to it. Screenshots at 390 px and on a desktop (.tmp/screenshots).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import {
  assertAccessible,
  browserSkip,
  type ConsoleServer,
  openBrowser,
  SCREENSHOTS,
  SQLITE_BROWSER,
  type Session,
  startConsoleServer,
} from './harness.ts';

const NOTICE = 'Newsletters and offers by email from the bakery, until you unsubscribe.';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** A full-page capture that needs no script in the page (the harness's grows the viewport by script). */
async function capture(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

for (const d of SQLITE_BROWSER)
  describe(`a landing page without JavaScript [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    const contexts: BrowserContext[] = [];
    let slug: string;

    /** A page in a context with JavaScript switched off, as a person with scripts blocked has it. */
    async function noScript(viewport: { width: number; height: number }): Promise<Page> {
      const context = await s.browser.newContext({ javaScriptEnabled: false, viewport });
      contexts.push(context);
      return context.newPage();
    }

    before(async () => {
      server = await startConsoleServer(d.name);
      // The page's origin is the server's own: the form's post is checked against it.
      const set = await server.api('PATCH', '/api/v1/settings', { publicBaseUrl: server.base });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const list = await server.api('POST', '/api/v1/lists', { name: 'Bread news' });
      assert.equal(list.status, 201, JSON.stringify(list.body));
      const form = await server.api('POST', '/api/v1/forms', {
        name: 'Spring sign-up',
        fields: [
          { name: 'email', label: 'Your email address', maps: 'email', required: true, type: 'email' },
          { name: 'first_name', label: 'First name', maps: 'firstName', maxLength: 60 },
          {
            name: 'consent',
            label: 'What may we send you?',
            maps: 'consentLevel',
            type: 'radio',
            levels: [
              { level: 3, notice: 'The newsletters you choose, until you unsubscribe.' },
              { level: 4, notice: NOTICE },
            ],
          },
          { name: 'topics', label: 'Send me the bread news', maps: 'lists', type: 'checkbox', listIds: [list.body.data.id] },
        ],
      });
      assert.equal(form.status, 201, JSON.stringify(form.body));
      const page = await server.api('POST', '/api/v1/pages', {
        type: 'landing',
        slug: 'spring-bread',
        title: 'Spring bread news',
        intro: 'Fresh from our ovens: **new loaves** every week.\n\n- seasonal recipes\n- opening hours',
        language: 'en',
        formId: form.body.data.id,
        published: true,
      });
      assert.equal(page.status, 201, JSON.stringify(page.body));
      slug = page.body.data.slug;
      s = await openBrowser();
    });
    after(async () => {
      for (const c of contexts) await c.close();
      await s?.close();
      await server?.stop();
    });

    test('fill and send the form: the contact, its level and the ledger entry with the notice shown', async () => {
      const page = await noScript(PHONE);
      await page.goto(`${server.base}/p/${slug}`);
      await page.getByRole('heading', { level: 1, name: 'Spring bread news' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      await capture(page, 'landing-page-390');
      await page.getByLabel('Your email address').fill('lena.fischer@example.org');
      await page.getByLabel('First name').fill('Lena');
      // The level's name is its label; its notice is beside it.
      await page.getByRole('radio', { name: 'Marketing' }).check();
      await page.getByRole('checkbox', { name: 'Bread news' }).check();
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByRole('heading', { level: 1, name: 'Thank you' }).waitFor();
      await capture(page, 'landing-page-thanks-390');

      // The job applies the submission in the background: the contact appears through the API.
      let contact: { id: string; consentLevel: number; firstName: string } | undefined;
      for (let i = 0; i < 100 && !contact; i++) {
        const found = await server.api('GET', `/api/v1/contacts?q=${encodeURIComponent('lena.fischer@example.org')}`);
        contact = found.body.data?.[0];
        if (!contact) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(contact, 'the contact was created');
      assert.equal(contact.firstName, 'Lena');
      assert.equal(contact.consentLevel, 4);
      const history = await server.api('GET', `/api/v1/contacts/${contact.id}/consent/history`);
      assert.equal(history.status, 200, JSON.stringify(history.body));
      const entries = history.body.data as { source: string; newValue: number | null; notice: { text: string } | null }[];
      const raised = entries.find((e) => e.source === 'form' && e.notice?.text === NOTICE);
      assert.ok(raised, `the ledger names the notice shown: ${JSON.stringify(entries)}`);
      const lists = await server.api('GET', `/api/v1/contacts/${contact.id}/lists`);
      assert.equal(lists.body.data.length, 1, 'the list is joined');
      const counts = await server.api('GET', `/api/v1/pages/${(await server.api('GET', '/api/v1/pages')).body.data[0].id}/counts`);
      assert.deepEqual(counts.body.data.total, { views: 1, submissions: 1 });
    });

    test('a field sent invalid comes back with its message next to it, the values typed kept', async () => {
      const page = await noScript(DESKTOP);
      await page.goto(`${server.base}/p/${slug}`);
      await capture(page, 'landing-page-desktop');
      await page.getByLabel('Your email address').fill('not an address');
      await page.getByLabel('First name').fill('<b>Ben</b>');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByRole('heading', { name: 'Please correct these fields' }).waitFor();
      const email = page.getByLabel('Your email address');
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      assert.equal(await email.inputValue(), 'not an address');
      assert.equal(await page.getByLabel('First name').inputValue(), '<b>Ben</b>', 'markup typed comes back as text');
      const describedBy = (await email.getAttribute('aria-describedby'))!;
      const message = page.locator(`[id="${describedBy}"]`);
      assert.equal((await message.textContent())?.trim(), 'not an email address');
      // Next to it: the message is the element right after the input, inside the field's own box.
      assert.equal(await page.locator(`input[name=email] + [id="${describedBy}"]`).count(), 1);
      // The summary at the top links to the field.
      await page.getByRole('link', { name: /Your email address/ }).click();
      await capture(page, 'landing-page-invalid-desktop');
      const phone = await noScript(PHONE);
      await phone.goto(`${server.base}/p/${slug}`);
      await phone.getByLabel('Your email address').fill('still not');
      await phone.getByRole('button', { name: 'Send' }).click();
      await phone.getByRole('heading', { name: 'Please correct these fields' }).waitFor();
      await capture(phone, 'landing-page-invalid-390');
      assert.equal(
        (await server.api('GET', `/api/v1/contacts?q=${encodeURIComponent('not an address')}`)).body.data.length,
        0,
        'nothing was stored',
      );
    });

    test('axe-core finds nothing serious on the page, its error state and its thank-you page', async () => {
      await s.page.goto(`${server.base}/p/${slug}`);
      await assertAccessible(s.page, 'landing page');
      await s.page.getByRole('button', { name: 'Send' }).click();
      await s.page.getByRole('heading', { name: 'Please correct these fields' }).waitFor();
      await assertAccessible(s.page, 'landing page with errors');
      await s.page.getByLabel('Your email address').fill('axe@example.org');
      await s.page.getByRole('button', { name: 'Send' }).click();
      await s.page.getByRole('heading', { level: 1, name: 'Thank you' }).waitFor();
      await assertAccessible(s.page, 'thank-you page');
      const notFound = await s.page.goto(`${server.base}/p/no-such-page`);
      assert.equal(notFound?.status(), 404);
      await assertAccessible(s.page, 'the generic 404');
      assert.deepEqual(
        s.problems.filter((p) => !/status of 40[04]/.test(p)),
        [],
      );
    });
  });
