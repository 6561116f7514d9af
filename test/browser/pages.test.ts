// Pages in the console (issue 15 point 10): a marketer makes a landing page — type explained, address
// suggested from the title with its full URL, intro in Markdown, language, the form chosen by name —
// watches the live preview (the server's page in a sandboxed frame, the error while input is invalid),
// meets a taken address beside its field, saves, publishes, finds "View page" and the counts; the list
// shows the page; a viewer reads and changes nothing; markup typed stays text.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  SQLITE_BROWSER,
  assertAccessible,
  browserSkip,
  type ConsoleServer,
  logIn,
  openBrowser,
  type Session,
  screenshot,
  startConsoleServer,
} from './harness.ts';

/** Takes out of the problems the refusals the flow asked for (each status at least once), failing on any other. */
function expectRefusals(s: Session, statuses: number[]): void {
  for (const n of statuses)
    assert.ok(
      s.problems.some((p) => p.includes(`status of ${n}`)),
      `a ${n} was asked for: ${s.problems.join('; ')}`,
    );
  s.problems.splice(0, s.problems.length, ...s.problems.filter((p) => !statuses.some((n) => p.includes(`status of ${n}`))));
}

const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Screenshots at 390 px and on a desktop, light and dark; axe and no sideways scrolling at each. */
async function lookAt(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  for (const width of [390, 1280])
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height: 844 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(150);
      await assertAccessible(page, `${name} at ${width}, ${scheme}`);
      assert.ok((await pageOverflow(page)) <= 0, `${name} at ${width}, ${scheme}: no sideways scrolling`);
      await screenshot(page, `${name}-${width}-${scheme}`);
    }
  await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: 'light' });
}

const frame = (page: Page) => page.locator('iframe[title="Preview of the page"]');

for (const d of SQLITE_BROWSER)
  describe(`console: pages [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    let pageId = '';
    let takenId = '';
    before(async () => {
      server = await startConsoleServer(d.name);
      const form = await server.api('POST', '/api/v1/forms', {
        name: 'Spring <i>sign-up</i>',
        fields: [{ name: 'email', label: 'Email address', maps: 'email', type: 'email', required: true }],
      });
      assert.equal(form.status, 201, JSON.stringify(form.body));
      const other = await server.api('POST', '/api/v1/pages', {
        type: 'data_request',
        slug: 'taken',
        title: 'Your data',
        intro: '',
        language: 'en',
        published: false,
      });
      assert.equal(other.status, 201, JSON.stringify(other.body));
      takenId = other.body.data.id;
      s = await openBrowser();
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test('a marketer makes a landing page with a live preview, meets a taken address, saves, publishes and sees it listed', async () => {
      const { page } = s;
      await logIn(page, server.base, await server.user('marketer'));
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pages', exact: true }).click();
      await page.getByRole('heading', { name: 'Pages', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New page' }).click();
      await page.getByRole('heading', { name: 'New page', level: 1 }).waitFor();

      // Each type says what it is for; landing is the first.
      const types = page.getByRole('radiogroup', { name: /^Type/ });
      for (const t of ['Landing page', 'Subscription centre', 'Forward to a friend', 'Data request'])
        await types.getByRole('radio', { name: t }).waitFor();
      await types.getByText(/Shows one of your forms/).waitFor();
      assert.ok(await types.getByRole('radio', { name: 'Landing page' }).isChecked());

      // The address follows the title, and its full URL is shown.
      await page.getByRole('textbox', { name: /^Title/ }).fill('Spring <b>sale</b> für alle');
      const slug = page.getByRole('textbox', { name: /^Address/ });
      assert.equal(await slug.inputValue(), 'spring-b-sale-b-fur-alle');
      await page.getByText(/\/p\/spring-b-sale-b-fur-alle$/).waitFor();
      await page.getByRole('textbox', { name: /^Introduction/ }).fill('Hello **friends**.\n\n<script>alert(1)</script>');
      await page.getByLabel(/^Language/).selectOption('de');

      // No form yet: the preview says why it cannot show the page.
      await page.getByRole('status').filter({ hasText: 'The preview waits for a page it can show' }).waitFor();
      await page.getByLabel(/^Form/).selectOption({ label: 'Spring <i>sign-up</i>' });

      // The server's page in a sandboxed frame: the markup typed is text, the Markdown rendered.
      await page.waitForFunction(() =>
        document.querySelector('iframe[title="Preview of the page"]')?.getAttribute('srcdoc')?.includes('für alle'),
      );
      assert.equal(await frame(page).getAttribute('sandbox'), '');
      const html = (await frame(page).getAttribute('srcdoc')) ?? '';
      assert.ok(html.includes('Spring &lt;b&gt;sale&lt;/b&gt; für alle'), html);
      assert.ok(!html.includes('<script>alert(1)'), 'the intro’s script is not markup');
      assert.match(html, /<html[^>]+lang="de"/);
      const inside = page.frameLocator('iframe[title="Preview of the page"]');
      await inside.getByRole('heading', { name: 'Spring <b>sale</b> für alle' }).waitFor();
      await inside.locator('strong', { hasText: 'friends' }).waitFor();
      await inside.getByLabel(/Email address/).waitFor();
      await lookAt(page, 'pages-new');

      // A taken address is refused beside its field.
      await slug.fill('taken');
      await page.getByRole('button', { name: 'Save page' }).click();
      await page.getByText('Another page has this address: choose another').waitFor();
      assert.equal(await slug.getAttribute('aria-invalid'), 'true');
      await slug.fill('spring-sale');
      await page.getByRole('button', { name: 'Save page' }).click();
      await page.waitForURL(/\/admin\/pages\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: 'Spring <b>sale</b> für alle', level: 1 }).waitFor();
      pageId = page.url().split('/').pop()!;
      const stored = (await server.api('GET', `/api/v1/pages/${pageId}`)).body.data;
      assert.equal(stored.type, 'landing');
      assert.equal(stored.slug, 'spring-sale');
      assert.equal(stored.language, 'de');
      assert.equal(stored.published, false);
      assert.match(stored.url, /\/p\/spring-sale$/);
      assert.equal(await page.getByRole('link', { name: 'View page' }).count(), 0, 'a draft has no link to view');
      // The type stays; the counts of the last 30 days are shown.
      assert.equal(await page.getByRole('radiogroup', { name: /^Type/ }).count(), 0);
      await page.getByRole('heading', { name: 'The last 30 days' }).waitFor();

      // Published: the link to the page.
      await page.getByRole('switch', { name: /^Published/ }).check();
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('link', { name: 'View page' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'View page' }).getAttribute('href'), stored.url);
      assert.equal((await server.api('GET', `/api/v1/pages/${pageId}`)).body.data.published, true);
      await lookAt(page, 'pages-saved');

      // The list: title as text, type in words, address, published, counts.
      await page.getByRole('link', { name: '← All pages' }).click();
      const row = page.getByRole('row', { name: /Spring/ });
      await row.getByRole('link', { name: 'Spring <b>sale</b> für alle' }).waitFor();
      assert.equal(await page.getByRole('table').locator('b').count(), 0);
      assert.match((await row.textContent()) ?? '', /Landing page.*\/p\/spring-sale.*Yes/);
      await lookAt(page, 'pages-list');
      expectRefusals(s, [400, 409]);
      assert.deepEqual(s.problems, []);
    });

    test('a viewer reads the pages and changes nothing', async () => {
      assert.ok(pageId, 'the first test made a page');
      const v = await openBrowser();
      try {
        await logIn(v.page, server.base, await server.user('viewer'));
        await v.page.goto(`${server.base}/admin/pages`);
        await v.page.getByRole('heading', { name: 'Pages', level: 1 }).waitFor();
        assert.equal(await v.page.getByRole('link', { name: 'New page' }).count(), 0);
        await v.page.getByRole('link', { name: 'Spring <b>sale</b> für alle' }).click();
        await v.page.getByText('Your role reads pages; a marketer or an administrator changes them.').waitFor();
        assert.equal(await v.page.getByRole('button', { name: 'Save changes' }).count(), 0);
        assert.equal(await v.page.getByRole('textbox', { name: /^Title/ }).getAttribute('readonly'), '');
        assert.ok(await v.page.getByRole('switch', { name: /^Published/ }).isDisabled());
        await assertAccessible(v.page, 'page editor, read only');
        await screenshot(v.page, 'pages-viewer');
        assert.deepEqual(v.problems, []);
      } finally {
        await v.close();
      }
    });

    test('a marketer deletes a page after saying so; it leaves the list', async () => {
      const { page } = s;
      await page.goto(`${server.base}/admin/pages/${takenId}`);
      await page.getByRole('heading', { name: 'Your data', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Delete page' }).click();
      const ask = page.getByRole('dialog', { name: 'Delete “Your data”?' });
      await ask.getByText(/then answers “not found”/).waitFor();
      await assertAccessible(page, 'delete a page');
      await ask.getByRole('button', { name: 'Keep it' }).click();
      await ask.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Delete page' }).click();
      await ask.getByRole('button', { name: 'Delete page' }).click();
      await page.getByRole('heading', { name: 'Pages', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Spring <b>sale</b> für alle' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Your data' }).count(), 0);
      assert.deepEqual(s.problems, []);
    });
  });
