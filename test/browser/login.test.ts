import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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

for (const d of SQLITE_BROWSER)
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
      await s.page.getByRole('link', { name: 'Contacts', exact: true }).click();
      await s.page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
      await s.page.reload();
      await s.page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
      assert.match(s.page.url(), /\/admin\/contacts$/);
      assert.equal(await s.page.getByRole('link', { name: 'Contacts', exact: true }).getAttribute('aria-current'), 'page');
      assert.deepEqual(s.problems, [], 'no dialog, console error or page error');
    });

    test('logging out leads back to the login screen, and the cookie no longer works', async () => {
      await s.page.getByRole('button', { name: 'Log out' }).click();
      await s.page.getByRole('heading', { name: 'Sign in to Assent' }).waitFor();
      await s.page.reload();
      await s.page.getByRole('heading', { name: 'Sign in to Assent' }).waitFor();
      assert.deepEqual(s.problems, []);
    });
    test('a session that ends on the server leads back to login with a message, on the next call', async () => {
      await logIn(s.page, server.base, server.admin);
      // The dashboard's own calls done first: one of them answered 401 would be the "next call" itself.
      await s.page.waitForLoadState('networkidle');
      // The session is ended behind the console's back (an admin disabling the user does the same).
      const cookies = await s.context.cookies();
      const out = await fetch(`${server.base}/api/v1/session`, {
        method: 'DELETE',
        headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
      });
      assert.equal(out.status, 204);
      // The next call: opening another screen. A call the console made by itself meanwhile (a
      // loaded machine runs them late) may have led to the login screen already: that is the same.
      await s.page
        .getByRole('link', { name: 'Audit log', exact: true })
        .click({ timeout: 10_000 })
        .catch(async (e: unknown) => {
          if (!(await s.page.getByRole('heading', { name: 'Sign in to Assent' }).isVisible())) throw e;
        });
      await s.page.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor();
      await s.page.getByRole('heading', { name: 'Sign in to Assent' }).waitFor();
      await assertAccessible(s.page, 'login after the session ended');
      assert.deepEqual(
        s.problems.filter((p) => !/status of 401/.test(p)),
        [],
      );
    });

    test('keyboard only: sign in, move through the navigation, at 390 px wide and in the dark theme', async () => {
      const k = await openBrowser({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
      try {
        await k.page.goto(`${server.base}/admin/`);
        await k.page.getByRole('heading', { name: 'Sign in to Assent' }).waitFor();
        // Tab from the page's start reaches the email, then the password, then the button.
        await k.page.keyboard.press('Tab');
        await k.page.keyboard.type(server.admin.email);
        await k.page.keyboard.press('Tab');
        await k.page.keyboard.type(server.admin.password);
        await k.page.keyboard.press('Enter');
        await k.page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
        await assertAccessible(k.page, 'dashboard, 390 px, dark');
        await screenshot(k.page, `shell-390-dark-${d.name}`);
        // On a phone the navigation sits behind the menu button: open it with the keyboard, follow a link.
        const burger = k.page.getByRole('button', { name: 'Toggle navigation' });
        await burger.focus();
        await k.page.keyboard.press('Enter');
        const link = k.page.getByRole('link', { name: 'Contacts', exact: true });
        await link.waitFor();
        await link.focus();
        await k.page.keyboard.press('Enter');
        await k.page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
        assert.match(k.page.url(), /\/admin\/contacts$/);
        // Nothing wider than the phone's screen.
        const overflow = await k.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        assert.equal(overflow, 0, 'no horizontal scrolling of the page at 390 px');
        assert.deepEqual(k.problems, []);
      } finally {
        await k.close();
      }
    });
  });
