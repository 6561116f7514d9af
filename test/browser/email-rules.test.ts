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

/** The problems less the browser's own report of the refused save the test asked for (400). */
const besides400 = (problems: string[]) =>
  problems.filter((p) => !p.includes('Failed to load resource: the server responded with a status of 400'));

// SQLite only: what the rules do at send time is tested on both databases (src/modules/email/policy*.test.ts);
// this is the settings screen's section for them.
for (const d of BROWSER_DIALECTS.filter((x) => x.name === 'sqlite'))
  describe(`console: email rules [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    const rules = async () => (await server.api('GET', '/api/v1/settings')).body.data.emailRules;

    before(async () => {
      server = await startConsoleServer(d.name);
      s = await openBrowser();
      await logIn(s.page, server.base, server.admin);
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test('caps and quiet hours are set, a bad value is refused beside its input with nothing lost, then saved', async () => {
      await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      const section = s.page.getByRole('region', { name: 'Email rules' });
      await section.getByText('No caps').waitFor();
      await s.page.mouse.move(700, 5);
      assert.deepEqual(await rules(), { frequencyCaps: [], quietHours: null, dropDeferredWhenCancelled: true });

      await section.getByRole('button', { name: 'Add a cap' }).click();
      assert.equal(await section.getByLabel('Cap 1 purpose').inputValue(), 'marketing');
      // Requested and transactional mail is never capped: not offered.
      const offered = await section.getByLabel('Cap 1 purpose').locator('option').allTextContents();
      assert.ok(offered.includes('subscription') && !offered.includes('transactional') && !offered.includes('requested'), offered.join());
      await section.getByLabel('Cap 1 within').fill('7 days');
      await section.getByRole('switch', { name: /^Quiet hours/ }).click({ force: true });
      await section.getByLabel('Quiet from').fill('21:00');
      await section.getByLabel('Quiet until').fill('8:00');
      await section.getByRole('button', { name: 'Save email rules' }).click();
      await section.getByRole('alert').filter({ hasText: 'Nothing was saved' }).waitFor();
      await section.getByText('Enter a duration from PT1M to P1Y').waitFor();
      assert.equal(await section.getByLabel('Cap 1 within').getAttribute('aria-invalid'), 'true');
      assert.equal(await section.getByLabel('Cap 1 within').inputValue(), '7 days', 'what was typed stays');
      assert.deepEqual((await rules()).frequencyCaps, [], 'nothing saved');
      await assertAccessible(s.page, 'settings, email rules refused');
      await screenshot(s.page, 'settings-email-rules-invalid');

      await section.getByLabel('Cap 1 within').fill('P7D');
      await section.getByRole('button', { name: 'Save email rules' }).click();
      // The quiet hours' end is still not HH:MM: refused next, by its own field.
      await section.getByText('Enter two different times as HH:MM').waitFor();
      assert.equal(await section.getByLabel('Quiet until').getAttribute('aria-invalid'), 'true');
      assert.notEqual(await section.getByLabel('Quiet from').getAttribute('aria-invalid'), 'true', 'the start was fine');
      await section.getByLabel('Quiet until').fill('08:00');
      await section.getByRole('switch', { name: 'Drop held sends of a cancelled campaign' }).click({ force: true });
      await section.getByRole('button', { name: 'Save email rules' }).click();
      await section.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.deepEqual(await rules(), {
        frequencyCaps: [{ purpose: 'marketing', max: 3, window: 'P7D' }],
        quietHours: { start: '21:00', end: '08:00' },
        dropDeferredWhenCancelled: false,
      });
      await assertAccessible(s.page, 'settings, email rules saved');
      await screenshot(s.page, 'settings-email-rules');

      // Shown as saved after a reload; a cap removed is gone once saved.
      await s.page.reload();
      const again = s.page.getByRole('region', { name: 'Email rules' });
      assert.equal(await again.getByLabel('Cap 1 within').inputValue(), 'P7D');
      assert.equal(await again.getByLabel('Quiet from').inputValue(), '21:00');
      await again.getByRole('button', { name: 'Remove cap 1' }).click();
      await again.getByRole('button', { name: 'Save email rules' }).click();
      await again.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.deepEqual((await rules()).frequencyCaps, []);
      assert.deepEqual(besides400(s.problems), []);
    });
  });
