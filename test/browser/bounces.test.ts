// Bounces in the console (issue 14): the Bounces screen lists what came back (kind, the status in
// words, what Assent did, the contact), filtered by kind; its second tab lists the undeliverable
// addresses, searchable, and a marketer allows one again after a confirm dialog — checked through the
// API. A viewer sees both lists and no button. Empty states say how reports arrive. Reports are
// posted through the API as a relay would; the server side runs on both databases in
// src/modules/email/bounce*.test.ts and undeliverable.test.ts, so the flow runs on SQLite.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { arfReport, dsnReport } from '../fixtures/email/dsn.samples.ts';
import {
  assertAccessible,
  browserSkip,
  type ConsoleServer,
  logIn,
  openBrowser,
  SQLITE_BROWSER,
  screenshot,
  startConsoleServer,
} from './harness.ts';

const GONE = 'gone.mailbox@example.com';
const BLOCKED = 'blocked.by.policy@example.com';
const COMPLAINER = 'complainer@example.com';

/** A cell's or row's text (cells run together: the patterns allow anything between). */
const text = async (l: Locator) => (await l.textContent()) ?? '';

async function openBounces(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bounces' }).click();
  await page.getByRole('heading', { name: 'Bounces', level: 1 }).waitFor();
}

for (const d of SQLITE_BROWSER)
  describe(`console: bounces [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    const contacts: Record<string, string> = {};
    const ok = async (method: string, path: string, body?: unknown) => {
      const r = await server.api(method, path, body);
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body?.data;
    };
    const report = (raw: Buffer) => ok('POST', '/api/v1/bounces', { raw: raw.toString('base64') });

    before(async () => {
      server = await startConsoleServer(d.name);
      for (const [email, level] of [
        [GONE, 4],
        [COMPLAINER, 5],
      ] as const) {
        const c = await ok('POST', '/api/v1/contacts', { email, firstName: email.split('.')[0] });
        contacts[email] = c.id;
        await ok('PUT', `/api/v1/contacts/${c.id}/consent`, { level, source: 'admin', notice: 'Asked at the shop counter' });
      }
    });
    after(async () => {
      await server?.stop();
    });

    test('before anything came back, both tabs say what shows there and how reports arrive', async () => {
      const s = await openBrowser();
      try {
        await logIn(s.page, server.base, server.admin);
        await openBounces(s.page);
        await s.page.getByRole('heading', { name: 'No bounces or complaints yet' }).waitFor();
        assert.match(await text(s.page.getByText(/POST \/api\/v1\/bounces/).first()), /POST \/api\/v1\/bounces/);
        await assertAccessible(s.page, 'bounces, empty');
        await s.page.getByRole('tab', { name: 'Undeliverable addresses' }).click();
        await s.page.getByRole('heading', { name: 'No undeliverable addresses' }).waitFor();
        await assertAccessible(s.page, 'undeliverable, empty');
        await screenshot(s.page, 'bounces-empty');
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }
    });

    test('a marketer reads the reports in words, filters by kind, and allows an undeliverable address again', async () => {
      // As a relay would hand them over: no address is the address's failure but the first.
      const hard = await report(dsnReport({ recipient: GONE, status: '5.1.1' }));
      assert.equal(hard.outcomes[0].effect, 'undeliverable');
      assert.equal((await report(dsnReport({ recipient: BLOCKED, status: '5.7.1' }))).outcomes[0].effect, 'recorded');
      assert.equal((await report(arfReport({ recipient: COMPLAINER }))).outcomes[0].effect, 'consent_lowered');

      const s = await openBrowser();
      try {
        await logIn(s.page, server.base, await server.user('marketer'));
        await openBounces(s.page);
        const table = s.page.getByRole('table');
        await table.waitFor();
        const row = (text: string) => table.getByRole('row').filter({ hasText: text });
        assert.match(await text(row(GONE)), /Hard bounce[\s\S]*No such mailbox[\s\S]*code 5\.1\.1[\s\S]*Stopped sending to this address/);
        assert.match(
          await text(row(BLOCKED)),
          /Hard bounce[\s\S]*Refused by the receiving server’s policy[\s\S]*Counted as bounced; later mail still goes to this address/,
        );
        assert.match(await text(row(COMPLAINER)), /Complaint[\s\S]*Marked as spam by the recipient[\s\S]*Consent lowered/);
        // The contact is a link to its page; an address no contact holds is text.
        assert.equal(await row(GONE).getByRole('link', { name: GONE }).getAttribute('href'), `/admin/contacts/${contacts[GONE]}`);
        assert.equal(await row(BLOCKED).getByRole('link').count(), 0);
        await assertAccessible(s.page, 'bounces list');

        await s.page.getByRole('combobox', { name: 'Show' }).click();
        await s.page.getByRole('option', { name: 'Complaints' }).click();
        await table.getByRole('row').filter({ hasText: GONE }).waitFor({ state: 'detached' });
        assert.equal(await table.getByRole('row').count(), 2, 'the header and the complaint');
        await screenshot(s.page, 'bounces-complaints');

        await s.page.getByRole('tab', { name: 'Undeliverable addresses' }).click();
        const search = s.page.getByRole('textbox', { name: 'Search addresses' });
        await search.fill('GONE.MAIL');
        const listed = s.page.getByRole('table').getByRole('row').filter({ hasText: GONE });
        await listed.waitFor();
        assert.match(await text(listed), /No such mailbox[\s\S]*code 5\.1\.1/);
        assert.ok(!s.page.url().includes('gone'), 'the search text stays out of the URL');
        await listed.getByRole('button', { name: `Allow sending again to ${GONE}` }).click();
        const dialog = s.page.getByRole('dialog', { name: 'Allow sending to this address again?' });
        await dialog.waitFor();
        assert.match(await text(dialog), /no such mailbox[\s\S]*next message goes to it/);
        await assertAccessible(s.page, 'allow again dialog');
        await screenshot(s.page, 'bounces-allow-dialog');
        await dialog.getByRole('button', { name: 'Allow sending again' }).click();
        await s.page
          .getByRole('status')
          .filter({ hasText: `Mail goes to ${GONE} again.` })
          .waitFor();
        await s.page.getByText('No undeliverable address contains that text.').waitFor();
        await assertAccessible(s.page, 'undeliverable after clearing');
        assert.deepEqual(s.problems, []);
      } finally {
        await s.close();
      }

      // Through the API: the address is off the list, the bounce record stays.
      const left = await server.api('GET', '/api/v1/undeliverable');
      assert.deepEqual(left.body.data, []);
      const bounces = await server.api('GET', '/api/v1/bounces?kind=hard');
      assert.ok(bounces.body.data.some((b: { id: string }) => b.id === hard.outcomes[0].id));
    });

    test('a viewer sees both lists and no button, at 390×844 and in the dark theme', async () => {
      await report(dsnReport({ recipient: 'no.such.domain@nowhere.example', status: '5.4.4' }));
      const viewer = await server.user('viewer');
      for (const opts of [{ viewport: { width: 390, height: 844 } }, { colorScheme: 'dark' as const }]) {
        const small = 'viewport' in opts;
        const s = await openBrowser(opts);
        try {
          await logIn(s.page, server.base, viewer);
          await s.page.goto(`${server.base}/admin/bounces`);
          await s.page.getByRole('heading', { name: 'Bounces', level: 1 }).waitFor();
          await s.page.getByRole('table').waitFor();
          await assertAccessible(s.page, `bounces ${small ? 'at 390' : 'dark'}`);
          await screenshot(s.page, `bounces-list-${small ? '390' : 'dark'}`);
          await s.page.getByRole('tab', { name: 'Undeliverable addresses' }).click();
          await s.page.getByRole('row').filter({ hasText: 'no.such.domain@nowhere.example' }).waitFor();
          assert.match(await text(s.page.getByRole('table')), /No such domain/);
          assert.equal(await s.page.getByRole('button', { name: /Allow sending again/ }).count(), 0);
          await assertAccessible(s.page, `undeliverable ${small ? 'at 390' : 'dark'}`);
          await screenshot(s.page, `bounces-undeliverable-${small ? '390' : 'dark'}`);
          if (small) {
            const overflow = await s.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
          }
          assert.deepEqual(s.problems, []);
        } finally {
          await s.close();
        }
      }
    });
  });
