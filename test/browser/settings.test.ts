import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
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

interface Relay {
  port: number;
  /** Messages taken: recipient, subject, the user who logged in. */
  got: { to: string; subject: string; user: string }[];
  close(): Promise<void>;
}

/** A real SMTP relay that needs a login (ops / the password given), without TLS. */
async function startRelay(password: string): Promise<Relay> {
  const got: Relay['got'] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'ops' && auth.password === password) cb(null, { user: 'ops' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => {
        raw += c.toString('utf8');
      });
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo)
          got.push({ to: r.address, subject: /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '', user: String(session.user) });
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as { port: number }).port,
    got,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The problems less the browser's own report of an answer the test asked for (a refused value: 400; a refused relay: 502). */
const besides = (problems: string[], ...statuses: number[]) =>
  problems.filter((p) => !statuses.some((n) => p.includes(`Failed to load resource: the server responded with a status of ${n}`)));

/** The bodies of the settings changes the page sent, to see what it sent (a password only when typed). */
function patches(page: Page): string[] {
  const out: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'PATCH' && new URL(r.url()).pathname === '/api/v1/settings') out.push(r.postData() ?? '');
  });
  return out;
}

// SQLite only: the flow takes about a minute, and what it changes through the API (settings, the gate's
// answer with data protection off, the relay test) is tested on both databases at the API level
// (test/http/stats.test.ts, consent-levels.test.ts, consent.test.ts).
for (const d of BROWSER_DIALECTS.filter((x) => x.name === 'sqlite'))
  describe(`console: settings [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    let relay: Relay;
    let low: string;
    const settings = async () => (await server.api('GET', '/api/v1/settings')).body.data;
    /** The gate's answer for the low-level contact and marketing (level 4). */
    const gate = async () => {
      const r = await server.api('POST', '/api/v1/consent/check', { contactIds: [low], purpose: 'marketing' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return { allowed: r.body.data[0].allowed as boolean, reason: r.body.data[0].reason as string };
    };
    const section = (name: string) => s.page.getByRole('region', { name });

    before(async () => {
      server = await startConsoleServer(d.name);
      relay = await startRelay('right password');
      s = await openBrowser();
      const c = await server.api('POST', '/api/v1/contacts', { email: 'low@example.com' });
      low = c.body.data.id;
      assert.equal((await server.api('PUT', `/api/v1/contacts/${low}/consent`, { level: 1, source: 'admin' })).status, 200);
      await logIn(s.page, server.base, server.admin);
    });
    after(async () => {
      await s?.close();
      await relay?.close();
      await server?.stop();
    });

    test('data protection off and on again, each confirmed; the settings and the consent gate follow', async () => {
      await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await s.page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      await section('SMTP relay').getByRole('switch', { name: 'Send mail through an SMTP relay' }).waitFor({ state: 'attached' });
      // The pointer off the link it clicked: the shell's active link, hovered, falls short of contrast (reported to the integrator).
      await s.page.mouse.move(700, 5);
      assert.deepEqual(await gate(), { allowed: false, reason: 'below_required_level' });
      await assertAccessible(s.page, 'settings');
      await screenshot(s.page, 'settings');

      const toggle = s.page.getByRole('switch', { name: 'Data protection tools' });
      // Asked, then kept on: nothing changes.
      await toggle.click({ force: true });
      const dialog = s.page.getByRole('dialog', { name: 'Turn data protection off?' });
      await dialog.getByText('Children are still never profiled').waitFor();
      await assertAccessible(s.page, 'settings, turning data protection off');
      await screenshot(s.page, 'settings-data-protection-off-confirm');
      await dialog.getByRole('button', { name: 'Keep it on' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal((await settings()).dataProtectionEnabled, true, 'kept on');

      await toggle.click({ force: true });
      await dialog.getByRole('button', { name: 'Turn data protection off' }).click();
      await section('Data protection').getByText('Data protection is off').waitFor();
      assert.equal(await toggle.isChecked(), false);
      assert.equal((await settings()).dataProtectionEnabled, false);
      assert.deepEqual(await gate(), { allowed: true, reason: 'data_protection_off' });

      await toggle.click({ force: true });
      const on = s.page.getByRole('dialog', { name: 'Turn data protection on?' });
      await on.getByText('Every purpose needs its consent level again').waitFor();
      await screenshot(s.page, 'settings-data-protection-on-confirm');
      await assertAccessible(s.page, 'settings, turning data protection on');
      await on.getByRole('button', { name: 'Turn data protection on' }).click();
      await on.waitFor({ state: 'hidden' });
      await s.page.waitForFunction(() => !document.body.textContent?.includes('Data protection is off'));
      assert.equal((await settings()).dataProtectionEnabled, true);
      assert.deepEqual(await gate(), { allowed: false, reason: 'below_required_level' });
      assert.deepEqual(s.problems, []);
    });

    test('a renamed consent level shows on the dashboard chart; an added purpose is saved by level name', async () => {
      const levels = section('Consent levels');
      await levels.getByLabel('Level 3 name').fill('Newsletter readers');
      await levels.getByRole('button', { name: 'Save consent levels' }).click();
      await levels.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const names = (await server.api('GET', '/api/v1/settings/consent-levels')).body.data.consentLevels;
      assert.equal(names.find((l: { level: number }) => l.level === 3).name, 'Newsletter readers');

      const purposes = section('Purposes');
      await purposes.getByLabel('Level needed for marketing').waitFor();
      assert.match(
        (await purposes.getByLabel('Level needed for subscription').locator('option:checked').textContent()) ?? '',
        /Newsletter readers/,
      );
      await purposes.getByLabel('New purpose').fill('credit decision');
      await purposes.getByLabel('Needs at least').selectOption({ label: 'Profiling (level 5)' });
      await purposes.getByRole('button', { name: 'Add purpose' }).click();
      await purposes.getByLabel('Level needed for credit decision').waitFor();
      await purposes.getByRole('button', { name: 'Save purposes' }).click();
      await purposes.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.equal((await settings()).purposes.credit_decision, 5);

      await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
      await s.page
        .getByRole('table', { name: 'Contacts at each consent level now' })
        .getByRole('rowheader', { name: 'Newsletter readers' })
        .waitFor();
      // Recharts breaks a long tick label into lines (tspans), whose text then joins without a space.
      await s.page
        .locator('.recharts-cartesian-axis-tick-label')
        .filter({ hasText: /Newsletter\s*readers/ })
        .first()
        .waitFor();
      await screenshot(s.page, 'settings-renamed-level-on-dashboard');
      assert.deepEqual(s.problems, []);
    });

    test('a bad value is refused next to its input, nothing typed is lost; then saved', async () => {
      await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      const general = section('Installation');
      await general.getByLabel('Public URL').fill('assent.example.com');
      await general.getByLabel('Time zone').selectOption('Europe/Berlin');
      await general.getByRole('button', { name: 'Save installation settings' }).click();
      await general.getByRole('alert').filter({ hasText: 'Nothing was saved' }).waitFor();
      await general.getByText('Enter a full address starting with https://').waitFor();
      assert.equal(await general.getByLabel('Public URL').inputValue(), 'assent.example.com', 'what was typed stays');
      assert.equal(await general.getByLabel('Public URL').getAttribute('aria-invalid'), 'true');
      assert.equal(await general.getByLabel('Time zone').inputValue(), 'Europe/Berlin');
      assert.equal((await settings()).timeZone, 'UTC', 'nothing saved');
      await assertAccessible(s.page, 'settings with a refused value');
      await screenshot(s.page, 'settings-invalid');

      await general.getByLabel('Public URL').fill('https://assent.example.com');
      await general.getByLabel('Age of majority').fill('18');
      await general.getByRole('button', { name: 'Save installation settings' }).click();
      await general.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const now = await settings();
      assert.deepEqual([now.publicBaseUrl, now.timeZone, now.majorityAge], ['https://assent.example.com', 'Europe/Berlin', 18]);
      assert.deepEqual(besides(s.problems, 400), [], 'only the refused save (400) the test asked for');
    });

    test('the SMTP relay: a write-only password, a test message that arrives, and the relay’s refusal in words', async () => {
      const sent = patches(s.page);
      const smtp = section('SMTP relay');
      await smtp.getByRole('switch', { name: 'Send mail through an SMTP relay' }).click({ force: true });
      await smtp.getByLabel('Host').fill('127.0.0.1');
      await smtp.getByRole('spinbutton', { name: 'Port' }).fill(String(relay.port));
      await smtp.getByLabel('User name').fill('ops');
      await smtp.getByLabel('Password', { exact: true }).fill('right password');
      await smtp.getByLabel('Sender').fill('Ops <ops@example.com>');
      await smtp.getByRole('button', { name: 'Save relay' }).click();
      await smtp.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const saved = (await settings()).smtp;
      assert.deepEqual(
        { host: saved.host, port: saved.port, user: saved.user, passwordSet: saved.passwordSet, from: saved.from },
        { host: '127.0.0.1', port: relay.port, user: 'ops', passwordSet: true, from: 'Ops <ops@example.com>' },
      );
      assert.ok(!('password' in saved), 'the password is never read back');
      assert.equal(await smtp.getByLabel('Password', { exact: true }).inputValue(), '', 'nor shown');
      assert.equal(await smtp.getByLabel('Password', { exact: true }).getAttribute('placeholder'), 'A password is set');

      await smtp.getByLabel('Test address').fill('me@example.com');
      await smtp.getByRole('button', { name: 'Send test message' }).click();
      await smtp.getByText('The relay took the message').waitFor();
      assert.deepEqual(relay.got, [{ to: 'me@example.com', subject: 'Assent test message', user: 'ops' }], 'it arrived, logged in');
      await assertAccessible(s.page, 'settings, test message sent');
      await screenshot(s.page, 'settings-smtp-test-sent');

      // Another sender, the password not typed: none is sent, and the stored one still logs in.
      await smtp.getByLabel('Sender').fill('News <news@example.com>');
      await smtp.getByRole('button', { name: 'Save relay' }).click();
      await smtp.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.equal(sent.length, 2);
      assert.match(sent[0]!, /"password":"right password"/);
      assert.doesNotMatch(sent[1]!, /password/, 'the password is sent only when typed');
      await smtp.getByRole('button', { name: 'Send test message' }).click();
      // The first send's confirmation is still on screen: wait for the relay to see the second.
      for (let i = 0; i < 100 && relay.got.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      await smtp.getByText('The relay took the message').waitFor();
      assert.equal(relay.got.length, 2, 'the kept password still logs in');

      // A wrong password: the relay refuses, and the console says what to check.
      await smtp.getByLabel('Password', { exact: true }).fill('wrong password');
      await smtp.getByRole('button', { name: 'Save relay' }).click();
      await smtp.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await smtp.getByRole('button', { name: 'Send test message' }).click();
      const refusal = smtp.getByRole('alert').filter({ hasText: 'The test message was not sent' });
      await refusal.getByText('The relay refused the user name or password').waitFor();
      assert.equal(relay.got.length, 2);
      await assertAccessible(s.page, 'settings, test message refused');
      await screenshot(s.page, 'settings-smtp-test-refused');
      assert.deepEqual(besides(s.problems, 400, 502), [], 'only the refusals the test asked for');
    });

    test('holds on a phone and in the dark theme', async () => {
      for (const [name, opts] of [
        ['settings-mobile', { viewport: { width: 390, height: 844 } }],
        ['settings-dark', { colorScheme: 'dark' as const }],
      ] as const) {
        const b = await openBrowser(opts);
        try {
          await logIn(b.page, server.base, server.admin);
          await b.page.goto(`${server.base}/admin/settings`);
          await b.page.getByRole('switch', { name: 'Data protection tools' }).waitFor({ state: 'attached' });
          const overflow = await b.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 0, `${name}: no page-wide horizontal scroll (${overflow}px)`);
          await assertAccessible(b.page, name);
          await screenshot(b.page, name);
          assert.deepEqual(b.problems, []);
        } finally {
          await b.close();
        }
      }
    });

    test('a viewer sees every setting read-only; a marketer has no settings at all', async () => {
      const viewer = await server.user('viewer');
      const b = await openBrowser();
      try {
        await logIn(b.page, server.base, viewer);
        await b.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
        await b.page.getByText('Your role may read the settings but not change them.').waitFor();
        await b.page.mouse.move(700, 5);
        assert.equal(await b.page.getByRole('switch', { name: 'Data protection tools' }).isDisabled(), true);
        assert.equal(await b.page.getByLabel('Level 3 name').inputValue(), 'Newsletter readers');
        assert.equal(await b.page.getByLabel('Level 3 name').isDisabled(), true);
        assert.equal(await b.page.getByLabel('Public URL').isDisabled(), true);
        assert.equal(await b.page.getByLabel('Host').isDisabled(), true);
        assert.equal(await b.page.getByLabel('Password', { exact: true }).isDisabled(), true);
        assert.equal(await b.page.getByRole('button', { name: /^Save/ }).count(), 0, 'no save button');
        assert.equal(await b.page.getByRole('button', { name: 'Send test message' }).count(), 0);
        await assertAccessible(b.page, 'settings as viewer');
        await screenshot(b.page, 'settings-viewer');
        assert.deepEqual(b.problems, []);
      } finally {
        await b.close();
      }
      const marketer = await server.user('marketer');
      const m = await openBrowser();
      try {
        await logIn(m.page, server.base, marketer);
        assert.equal(await m.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count(), 0);
        await m.page.goto(`${server.base}/admin/settings`);
        await m.page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
        assert.deepEqual(m.problems, []);
      } finally {
        await m.close();
      }
    });
  });
