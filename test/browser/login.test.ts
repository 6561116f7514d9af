import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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

for (const d of BROWSER_DIALECTS)
  describe(`console: log in as the first admin [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    before(async () => {
      server = await startConsoleServer(d.name);
      s = await openBrowser();
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test('a wrong password is refused on the login screen, which passes axe', async () => {
      await s.page.goto(`${server.base}/admin/`);
      await s.page.getByRole('heading', { name: 'Sign in to Assent' }).waitFor();
      await assertAccessible(s.page, 'login');
      await screenshot(s.page, 'login');
      await s.page.getByLabel('Email').fill(server.admin.email);
      await s.page.locator('input[autocomplete=current-password]').fill(`${server.admin.password}-wrong`);
      await s.page.getByRole('button', { name: 'Sign in' }).click();
      await s.page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
      assert.deepEqual(s.problems, [], 'no dialog, console error or page error');
    });

    test('the first admin signs in, sees the shell with navigation, and the session is the API’s', async () => {
      await logIn(s.page, server.base, server.admin);
      await s.page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      assert.equal(await s.page.getByTestId('role').textContent(), 'admin');
      // The cookie the console holds is the API's own session: the API answers it as the admin.
      const cookies = await s.context.cookies();
      const who = await fetch(`${server.base}/api/v1/session`, {
        headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
      });
      assert.equal(who.status, 200);
      assert.equal(((await who.json()) as { data: { principal: { role: string } } }).data.principal.role, 'admin');
      await assertAccessible(s.page, 'dashboard');
      await screenshot(s.page, 'dashboard');
      // A screen reached through the navigation, then reloaded: the server gives the app its page.
      await s.page.getByRole('link', { name: 'Contacts' }).click();
      await s.page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
      await s.page.reload();
      await s.page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
      assert.match(s.page.url(), /\/admin\/contacts$/);
      assert.equal(await s.page.getByRole('link', { name: 'Contacts' }).getAttribute('aria-current'), 'page');
      assert.deepEqual(s.problems, [], 'no dialog, console error or page error');
    });

    test('logging out leads back to the login screen, and the cookie no longer works', async () => {
      await s.page.getByRole('button', { name: 'Log out' }).click();
      await s.page.getByRole('heading', { name: 'Sign in to Assent' }).waitFor();
      await s.page.reload();
      await s.page.getByRole('heading', { name: 'Sign in to Assent' }).waitFor();
      assert.deepEqual(s.problems, []);
    });
  });
