// The administration screens (issue 13 point 4): users and API keys, the audit log, the data map
// and the records of processing, the outbox; each flow does the work in the console and checks it
// through the API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { keepInOutbox } from './admin.helpers.ts';
import {
  BROWSER_DIALECTS,
  assertAccessible,
  browserSkip,
  type ConsoleServer,
  logIn,
  openBrowser,
  type Session,
  screenshot,
  startConsoleServer,
} from './harness.ts';

/** Picks an option of a Mantine Select by the input's label and the option's visible text. */
async function choose(page: Page, label: string, option: string | RegExp, type?: string): Promise<void> {
  const input = page.locator('input:visible').and(page.getByLabel(new RegExp(`^${label}( \\*)?$`)));
  await input.click();
  if (type) await input.fill(type);
  await page.getByRole('option', { name: option }).first().click();
}

/** Follows a navigation link, then moves the pointer away (a hovered link is not what axe should judge). */
async function go(page: Page, link: string, heading = link): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await page.mouse.move(600, 28);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** The problems seen, but for the browser's log of API answers the flow asked for on purpose (a 409 for a taken address). */
const besides = (problems: string[], ...statuses: number[]) =>
  problems.filter((p) => !statuses.some((st) => p.includes(`status of ${st}`)));

const HOSTILE = '<img src=x onerror=alert(1)>';

// SQLite only: the flow takes well over 40 s a dialect here; the API it reads (audit names and
// filters, actors) is tested on both databases in test/http/audit-log.test.ts.
for (const d of BROWSER_DIALECTS.filter((x) => x.name === 'sqlite'))
  describe(`console: administration [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    before(async () => {
      server = await startConsoleServer(d.name);
      s = await openBrowser();
      await logIn(s.page, server.base, server.admin);
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test(
      'an admin adds a marketer, who signs in elsewhere and sees a ' + 'marketer’s navigation; disabled, their next call ends at login',
      async () => {
        const { page } = s;
        await go(page, 'Users and API keys');
        await page.getByRole('cell', { name: `${server.admin.email} (you)` }).waitFor();
        await assertAccessible(page, 'users');
        await screenshot(page, 'admin-users');

        await page.getByRole('button', { name: 'Add user' }).click();
        const dialog = page.getByRole('dialog', { name: 'Add a user' });
        await dialog.getByLabel(/^Email/).fill('mara.marketer@example.com');
        await dialog.getByLabel(/^Name/).fill('Mara <b>Marketer</b>');
        await choose(page, 'Role', /^Marketer/);
        await dialog.getByLabel('Initial password').fill('too short');
        await dialog.getByRole('button', { name: 'Add user' }).click();
        // Refused in the form with the rule, and nothing typed is lost.
        await dialog.getByText('Use at least 12 characters (now 9).').waitFor();
        assert.equal(await dialog.getByLabel(/^Email/).inputValue(), 'mara.marketer@example.com');
        await assertAccessible(page, 'users: add a user, refused');
        await screenshot(page, 'admin-users-add');
        await dialog.getByLabel('Initial password').fill('a marketer password');
        await dialog.getByRole('button', { name: 'Add user' }).click();
        await dialog.waitFor({ state: 'detached' });
        const row = page.getByRole('row').filter({ hasText: 'mara.marketer@example.com' });
        await row.getByRole('cell', { name: 'Marketer', exact: true }).waitFor();
        await row.getByRole('cell', { name: 'Mara <b>Marketer</b>' }).waitFor();

        const users = (await server.api('GET', '/api/v1/users')).body.data as {
          id: string;
          email: string;
          role: string;
          disabled: boolean;
        }[];
        const mara = users.find((u) => u.email === 'mara.marketer@example.com');
        assert.equal(mara?.role, 'marketer');

        // The same address again: refused with words, on the field.
        await page.getByRole('button', { name: 'Add user' }).click();
        await dialog.getByLabel(/^Email/).fill('mara.marketer@example.com');
        await dialog.getByLabel('Initial password').fill('another long password');
        await dialog.getByRole('button', { name: 'Add user' }).click();
        await dialog.getByText('Someone already signs in with this email.').waitFor();
        await dialog.getByRole('button', { name: 'Cancel' }).click();

        // The marketer, in a browser of their own.
        const other = await openBrowser();
        try {
          await logIn(other.page, server.base, { email: 'mara.marketer@example.com', password: 'a marketer password' });
          const nav = other.page.getByRole('navigation', { name: 'Main' });
          await nav.getByRole('link', { name: 'Contacts' }).waitFor();
          for (const hidden of ['Users and API keys', 'Audit log', 'Outbox', 'Data requests', 'Settings'])
            assert.equal(await nav.getByRole('link', { name: hidden }).count(), 0, `a marketer sees no ${hidden}`);
          assert.equal(await other.page.getByTestId('role').textContent(), 'marketer');

          // Disabled by the admin: the marketer's next call is refused and the console returns to login.
          await row.getByRole('button', { name: 'Disable mara.marketer@example.com' }).click();
          const confirm = page.getByRole('dialog', { name: 'Disable mara.marketer@example.com?' });
          await assertAccessible(page, 'users: disable, confirmation');
          await confirm.getByRole('button', { name: 'Disable user' }).click();
          await row.getByText('Disabled').waitFor();
          assert.equal(((await server.api('GET', `/api/v1/users/${mara!.id}`)).body.data as { disabled: boolean }).disabled, true);
          // Their next call ends at login: the click's, or the console's own refresh if one comes first
          // (on a loaded machine it did, and the link was gone before the click).
          const signIn = other.page.getByRole('heading', { name: 'Sign in to Assent' });
          const dataMap = nav.getByRole('link', { name: 'Data map' });
          if (await dataMap.isVisible()) await dataMap.click({ timeout: 10_000 }).catch(() => undefined);
          await signIn.waitFor();
          await other.page.getByText('Your session has ended').waitFor();
          assert.deepEqual(other.problems, []);
        } finally {
          await other.close();
        }
        assert.deepEqual(besides(s.problems, 409), []);
        s.problems.length = 0;
      },
    );

    test('an API key’s secret is shown once, works, and is refused once revoked in the console', async () => {
      const { page } = s;
      await page.getByRole('button', { name: 'Create API key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create an API key' });
      await dialog.getByRole('button', { name: 'Create key' }).click();
      await dialog.getByText('Give the key a name.').waitFor();
      await dialog.getByLabel(/^Name/).fill('CRM sync');
      await choose(page, 'Role', /^Viewer/);
      await dialog.getByRole('button', { name: 'Create key' }).click();
      const shown = page.getByRole('dialog', { name: 'Key “CRM sync” created' });
      await shown.getByText('you will not see it again').waitFor();
      const secret = (await shown.getByTestId('key-secret').textContent())?.trim() ?? '';
      assert.match(secret, /^assent_[\w-]+_[\w-]+$/);
      await assertAccessible(page, 'users: a new key’s secret');
      await screenshot(page, 'admin-users-key-secret');

      const as = (key: string) => fetch(`${server.base}/api/v1/session`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal((await as(secret)).status, 200, 'the secret works');
      await shown.getByRole('button', { name: 'I have stored it' }).click();
      await shown.waitFor({ state: 'detached' });
      assert.equal(await page.getByText(secret).count(), 0, 'the secret is gone from the page');

      const keyRow = page.getByRole('row').filter({ hasText: 'CRM sync' });
      await keyRow.getByRole('cell', { name: 'Viewer', exact: true }).waitFor();
      await keyRow.getByRole('button', { name: 'Revoke CRM sync' }).click();
      const confirm = page.getByRole('dialog', { name: 'Revoke “CRM sync”?' });
      await confirm.getByRole('button', { name: 'Revoke key' }).click();
      await keyRow.getByText(/^Revoked/).waitFor();
      assert.equal((await as(secret)).status, 401, 'the revoked secret is refused');
      const keys = (await server.api('GET', '/api/v1/keys')).body.data as { name: string; revokedAt: string | null }[];
      assert.ok(keys.find((k) => k.name === 'CRM sync')?.revokedAt);
      assert.deepEqual(s.problems, []);
    });

    test('the audit log filtered by action shows exactly the API’s entries for it, named by people', async () => {
      const { page } = s;
      await go(page, 'Audit log');
      const table = page.getByRole('table', { name: 'Audit entries' });
      await table.getByRole('row').nth(1).waitFor();
      await assertAccessible(page, 'audit');
      await screenshot(page, 'admin-audit');

      await choose(page, 'Action', 'Created an API key', 'API key');
      await page.getByText(/^1 of 1 entries$/).waitFor();
      const api = (await server.api('GET', '/api/v1/audit?action=key.create')).body as {
        data: { action: string; actorName: string }[];
        page: { total: number };
      };
      assert.equal(api.page.total, 1);
      const rows = table.getByRole('row');
      assert.equal(await rows.count(), api.data.length + 1, 'a header and one row per entry');
      await rows.nth(1).getByRole('cell', { name: 'Created an API key' }).waitFor();
      await rows.nth(1).getByRole('cell', { name: server.admin.email }).waitFor();
      assert.equal(api.data[0]!.actorName, server.admin.email);

      // By who and outcome: the marketer's refused sign-in after being disabled is not a denial of
      // the API (a wrong login is not audited as theirs), so: every user creation by the admin.
      await choose(page, 'Action', 'Added a user', 'Added a user');
      await choose(page, 'Who', server.admin.email, server.admin.email);
      const adminId = (await server.api('GET', '/api/v1/session')).body.data.principal.id as string;
      const created = (await server.api('GET', `/api/v1/audit?action=user.create&actorId=${adminId}`)).body as {
        data: unknown[];
        page: { total: number };
      };
      assert.ok(created.page.total >= 1);
      await page.getByText(new RegExp(`^${created.page.total} of ${created.page.total} entries$`)).waitFor();
      assert.equal(await rows.count(), created.data.length + 1);
      await page.getByLabel('From').fill('2999-01-01T00:00');
      await page.getByRole('heading', { name: 'No entries match' }).waitFor();
      await assertAccessible(page, 'audit: nothing matches');
      await screenshot(page, 'admin-audit-empty');
      await page.getByRole('button', { name: 'Clear filters' }).first().click();
      await table.getByRole('row').nth(1).waitFor();
      assert.deepEqual(s.problems, []);
    });

    test('the data map shows every table the API lists, filters by category, and its report is viewed and downloaded', async () => {
      const { page } = s;
      await go(page, 'Data map');
      const tables = (await server.api('GET', '/api/v1/datamap')).body.data.tables as {
        name: string;
        columns: { category: string }[];
      }[];
      await page.getByText(`${tables.length} tables`, { exact: true }).waitFor();
      for (const t of tables) await page.getByRole('button', { name: new RegExp(`^${t.name}\\b`) }).waitFor();
      await page.getByRole('button', { name: /^contacts\b/ }).click();
      await page.getByRole('table', { name: 'Columns of contacts' }).waitFor();
      await assertAccessible(page, 'data map');
      await screenshot(page, 'admin-data-map');

      await choose(page, 'Category', 'contact.identity.email', 'identity.email');
      const withEmail = tables.filter((t) => t.columns.some((c) => c.category === 'contact.identity.email'));
      await page.getByText(`${withEmail.length} of ${tables.length} tables match`).waitFor();
      assert.ok(withEmail.length >= 1 && withEmail.length < tables.length);

      await page.getByRole('link', { name: 'Records of processing' }).click();
      await page.getByRole('heading', { name: 'Records of processing', level: 1 }).waitFor();
      const report = (await server.api('GET', '/api/v1/datamap/report')).body as string;
      await page.getByLabel('The report').getByText('# Records of processing').first().waitFor();
      await assertAccessible(page, 'data map: records of processing');
      await screenshot(page, 'admin-data-map-report');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download (Markdown)' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^records-of-processing-\d{4}-\d\d-\d\d\.md$/);
      assert.equal(readFileSync((await download.path())!, 'utf8'), report);
      assert.deepEqual(s.problems, []);
    });

    test('the outbox says no relay is set and shows a request’s verification mail and a hostile subject as text', async () => {
      const { page } = s;
      const asked = await fetch(`${server.base}/public/v1/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'access', email: 'lena.fischer@example.org' }),
      });
      assert.equal(asked.status, 202);
      // The verification goes out from a job: wait until it is kept.
      for (let i = 0; i < 100 && (await server.api('GET', '/api/v1/outbox')).body.data.length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      await keepInOutbox(server, {
        to: 'someone@example.org',
        subject: `Hello ${HOSTILE} "><script>alert(2)</script>`,
        text: `Body ${HOSTILE}`,
        html: `<p>Hi</p>${HOSTILE}<script>alert(3)</script>`,
      });
      await go(page, 'Outbox');
      await page.getByText('No SMTP relay is set: nothing is being sent').waitFor();
      const listed = (await server.api('GET', '/api/v1/outbox')).body.data as { to: string; subject: string }[];
      assert.equal(listed.length, 2);
      const rows = page.getByRole('table', { name: 'Kept messages' }).getByRole('row');
      assert.equal(await rows.count(), 3);
      await assertAccessible(page, 'outbox');
      await screenshot(page, 'admin-outbox');

      await page.getByRole('link', { name: 'Confirm your data request' }).click();
      await page.getByRole('heading', { name: 'Confirm your data request', level: 1 }).waitFor();
      const text = (await page.getByLabel('Message text').textContent()) ?? '';
      assert.match(text, /We received a request for a copy of the personal data/);
      assert.match(text, /\[redacted\]/, 'the verification link is redacted');
      await assertAccessible(page, 'outbox: a message');
      await screenshot(page, 'admin-outbox-message');
      await page.getByRole('link', { name: 'Back to the outbox' }).click();

      // Markup in a subject, a text and an HTML body stays text, and the HTML runs nothing.
      await page.getByRole('link', { name: `Hello ${HOSTILE}` }).click();
      await page.getByRole('heading', { name: `Hello ${HOSTILE} "><script>alert(2)</script>`, level: 1 }).waitFor();
      assert.equal(await page.locator('main img').count(), 0, 'no element made from the subject or text');
      await page
        .locator('label')
        .filter({ hasText: /^HTML$/ })
        .click();
      const frame = page.frameLocator('iframe[title="The message’s HTML, without scripts"]');
      await frame.getByText('Hi').waitFor();
      assert.equal(await page.locator('iframe').getAttribute('sandbox'), '');
      await page
        .locator('label')
        .filter({ hasText: /^HTML source$/ })
        .click();
      await page.getByLabel('HTML source').getByText('<script>alert(3)</script>', { exact: false }).waitFor();
      await assertAccessible(page, 'outbox: hostile message');
      await screenshot(page, 'admin-outbox-hostile');
      // The sandbox refused the HTML's script, and the browser says so: that, and nothing else.
      const blocked = /^console error: Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/;
      assert.ok(
        s.problems.some((p) => blocked.test(p)),
        'the HTML part’s script was blocked',
      );
      assert.deepEqual(
        s.problems.filter((p) => !blocked.test(p)),
        [],
        'no dialog, no script',
      );
      s.problems.length = 0;
    });

    test('at 390×844 and in the dark theme the screens hold, pass axe and do not scroll sideways', async () => {
      for (const opts of [{ viewport: { width: 390, height: 844 } }, { colorScheme: 'dark' as const }]) {
        const small = 'viewport' in opts;
        const b = await openBrowser(opts);
        try {
          await logIn(b.page, server.base, server.admin);
          for (const [path, title, name] of [
            ['users', 'Users and API keys', 'users'],
            ['audit', 'Audit log', 'audit'],
            ['data-map', 'Data map', 'data-map'],
            ['outbox', 'Outbox', 'outbox'],
          ] as const) {
            await b.page.goto(`${server.base}/admin/${path}`);
            await b.page.getByRole('heading', { name: title, level: 1 }).waitFor();
            // The data map's tables are in closed sections: their buttons show; elsewhere a table does.
            await (name === 'data-map' ? b.page.getByRole('button', { name: /^contacts\b/ }) : b.page.getByRole('table').first()).waitFor();
            await assertAccessible(b.page, `${name} ${small ? 'at 390' : 'dark'}`);
            await screenshot(b.page, `admin-${name}-${small ? '390' : 'dark'}`);
            if (small) {
              const overflow = await b.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
              assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px`);
            }
          }
          assert.deepEqual(b.problems, []);
        } finally {
          await b.close();
        }
      }
    });

    test(
      'roles: a privacy officer reads the audit log and data map but no users or outbox; a viewer no audit log, and changes their own ' +
        'password',
      async () => {
        const officer = await server.user('privacy_officer');
        const viewer = await server.user('viewer');
        const b = await openBrowser();
        try {
          await logIn(b.page, server.base, officer);
          const nav = b.page.getByRole('navigation', { name: 'Main' });
          await go(b.page, 'Audit log');
          await b.page.getByRole('table', { name: 'Audit entries' }).getByRole('row').nth(1).waitFor();
          await choose(b.page, 'Who', server.admin.email, server.admin.email);
          await b.page.getByRole('table', { name: 'Audit entries' }).getByRole('cell', { name: server.admin.email }).first().waitFor();
          await assertAccessible(b.page, 'audit as a privacy officer');
          await nav.getByRole('link', { name: 'Data map' }).click();
          await b.page.getByRole('heading', { name: 'Data map', level: 1 }).waitFor();
          for (const hidden of ['Users and API keys', 'Outbox'])
            assert.equal(await nav.getByRole('link', { name: hidden }).count(), 0, `a privacy officer sees no ${hidden}`);
          await b.page.getByRole('button', { name: 'Log out' }).click();

          await logIn(b.page, server.base, viewer);
          assert.equal(await nav.getByRole('link', { name: 'Audit log' }).count(), 0, 'a viewer sees no audit log');
          await nav.getByRole('link', { name: 'Users and API keys' }).click();
          await b.page.getByRole('heading', { name: 'Users and API keys', level: 1 }).waitFor();
          await b.page.getByRole('cell', { name: server.admin.email, exact: true }).waitFor();
          assert.equal(await b.page.getByRole('button', { name: /Add user|Create API key|Disable|Revoke/ }).count(), 0, 'reads only');
          await b.page.getByRole('link', { name: 'Your account and password' }).click();
          await b.page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
          await b.page.getByLabel('Current password').fill('not my password at all');
          await b.page.getByLabel(/^New password( \*)?$/).fill('a brand new passphrase');
          await b.page.getByLabel('New password again').fill('a brand new passphrase');
          await b.page.getByRole('button', { name: 'Change password' }).click();
          await b.page.getByText('That is not your current password.').waitFor();
          assert.equal(await b.page.getByLabel(/^New password( \*)?$/).inputValue(), 'a brand new passphrase', 'nothing typed is lost');
          await assertAccessible(b.page, 'your account, refused');
          await screenshot(b.page, 'admin-account');
          await b.page.getByLabel('Current password').fill(viewer.password);
          await b.page.getByRole('button', { name: 'Change password' }).click();
          await b.page.getByText('Your password is changed.').waitFor();
          const login = await fetch(`${server.base}/api/v1/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: viewer.email, password: 'a brand new passphrase' }),
          });
          assert.equal(login.status, 201, 'the new password signs in');
          // The wrong current password was refused by the API on purpose (400): the browser logs that answer.
          assert.deepEqual(besides(b.problems, 400), []);
        } finally {
          await b.close();
        }
      },
    );
  });
