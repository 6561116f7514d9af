import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
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

/** The problems less the browser's own report of the refusals the test asked for (a bad rate: 400; a bad key: 422). */
const besides = (problems: string[], ...statuses: number[]) =>
  problems.filter((p) => !statuses.some((n) => p.includes(`Failed to load resource: the server responded with a status of ${n}`)));

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** A stretch of the key's secret body: no answer the browser gets may hold it. */
const KEY_PART = PEM.split('\n')[5]!;

// SQLite only: what these settings do (the DNS record, the write-only key, the rate, receipts, the endpoint)
// is tested over the API on both databases (test/http/settings-dkim.test.ts, src/modules/mail, src/modules/email);
// this is the settings screen's part for them.
for (const d of SQLITE_BROWSER)
  describe(`console: email settings [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    /** The text of every API answer the browser got. */
    const answers: string[] = [];
    const settings = async () => (await server.api('GET', '/api/v1/settings')).body.data;
    const section = (name: string) => s.page.getByRole('region', { name });

    before(async () => {
      server = await startConsoleServer(d.name);
      const relay = {
        host: '127.0.0.1',
        port: 2525,
        secure: false,
        user: 'ops',
        password: 'relay secret',
        from: 'News <news@example.com>',
      };
      assert.equal((await server.api('PATCH', '/api/v1/settings', { smtp: relay })).status, 200);
      s = await openBrowser();
      s.page.on('response', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/'))
          void r.text().then(
            (t) => answers.push(t),
            () => undefined,
          );
      });
      await logIn(s.page, server.base, server.admin);
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test('rate, DKIM key, receipts and the bounce endpoint are set; a bad value or key is refused by its field', async () => {
      await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      const sending = section('Sending');
      await sending.getByLabel('Messages per second').waitFor();
      await s.page.mouse.move(700, 5);
      assert.equal(await sending.getByLabel('Messages per second').inputValue(), '', 'no limit yet');

      // A rate of 0 and a key that is not one: the rate is refused by name first, the key then by the server's reason.
      await sending.getByLabel('Messages per second').fill('0');
      await sending.getByLabel('Signing domain').fill('Example.com');
      await sending.getByLabel('Selector').fill('news2026');
      await sending.getByLabel('Private key').fill('not a key');
      await sending.getByRole('button', { name: 'Save sending' }).click();
      await sending.getByText('Enter a whole number of 1 or more').waitFor();
      assert.equal(await sending.getByLabel('Messages per second').getAttribute('aria-invalid'), 'true');
      await sending.getByLabel('Messages per second').fill('50');
      await sending.getByRole('button', { name: 'Save sending' }).click();
      await sending.getByText('The DKIM private key cannot be used: it must be a PEM private key.').waitFor();
      await sending.getByRole('alert').filter({ hasText: 'Nothing was saved' }).waitFor();
      assert.equal(await sending.getByLabel('Private key').getAttribute('aria-invalid'), 'true');
      assert.equal(await sending.getByLabel('Private key').inputValue(), 'not a key', 'what was typed stays');
      assert.equal(await sending.getByLabel('Signing domain').inputValue(), 'Example.com');
      const refused = await settings();
      assert.deepEqual([refused.dkim, refused.smtp.maxPerSecond ?? null], [null, null], 'nothing saved');
      await assertAccessible(s.page, 'settings, DKIM key refused');
      await screenshot(s.page, 'email-settings-key-refused');

      await sending.getByLabel('Private key').fill(PEM);
      await sending.getByRole('button', { name: 'Save sending' }).click();
      await sending.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await sending.getByText('A key is set.').waitFor();
      assert.equal(await sending.getByLabel('Private key').count(), 0, 'the key is not shown again');
      const dkim = (await settings()).dkim;
      assert.deepEqual([dkim.domain, dkim.selector, dkim.privateKeySet], ['Example.com', 'news2026', true]);
      assert.equal(await sending.getByLabel('DNS record name').inputValue(), 'news2026._domainkey.example.com');
      assert.match(await sending.getByLabel('TXT value').inputValue(), /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{300,}=*$/);
      assert.equal(await sending.getByLabel('TXT value').inputValue(), dkim.dnsRecord.value);
      const relay = (await settings()).smtp;
      assert.deepEqual([relay.maxPerSecond, relay.passwordSet, relay.user], [50, true, 'ops'], 'the rate saved, the relay password kept');

      const receipts = section('Consent receipts');
      await receipts.getByRole('switch', { name: 'Send consent receipts' }).click({ force: true });
      await receipts.getByRole('button', { name: 'Save consent receipts' }).click();
      await receipts.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.equal((await settings()).consentReceipts, true);

      const reports = section('Bounce and complaint reports');
      await reports.getByText('POST /api/v1/bounces').waitFor();
      await reports.getByRole('switch', { name: 'Receive reports by SMTP' }).click({ force: true });
      assert.equal(await reports.getByLabel('Listen on address').inputValue(), '127.0.0.1');
      await reports.getByRole('spinbutton', { name: 'Listen on port' }).fill('70000');
      await reports.getByRole('button', { name: 'Save report settings' }).click();
      await reports.getByText('Enter a port from 1 to 65535').waitFor();
      assert.equal((await settings()).bounceInbound, null, 'nothing saved');
      await reports.getByRole('spinbutton', { name: 'Listen on port' }).fill('2626');
      await reports.getByRole('button', { name: 'Save report settings' }).click();
      await reports.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await reports.getByText('127.0.0.1:2626').waitFor();
      assert.deepEqual((await settings()).bounceInbound, { host: '127.0.0.1', port: 2626 });
      await assertAccessible(s.page, 'settings, email settings saved');
      await screenshot(s.page, 'email-settings-saved');

      // As saved after a reload; the key is never filled in.
      await s.page.reload();
      const again = section('Sending');
      await again.getByText('A key is set.').waitFor();
      assert.equal(await again.getByLabel('Messages per second').inputValue(), '50');
      assert.equal(await again.getByLabel('Private key').count(), 0);
      assert.equal(await section('Consent receipts').getByRole('switch', { name: 'Send consent receipts' }).isChecked(), true);
      assert.equal(await section('Bounce and complaint reports').getByRole('spinbutton', { name: 'Listen on port' }).inputValue(), '2626');

      // Saving the relay keeps the rate set here.
      await section('SMTP relay').getByRole('button', { name: 'Save relay' }).click();
      await section('SMTP relay').getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.equal((await settings()).smtp.maxPerSecond, 50);

      // Replace key opens an empty field and can be left; Remove signing turns signing off.
      await again.getByRole('button', { name: 'Replace key' }).click();
      assert.equal(await again.getByLabel('Private key').inputValue(), '');
      await again.getByRole('button', { name: 'Keep the current key' }).click();
      // Removing deletes the key: asked first, and kept when declined.
      await again.getByRole('button', { name: 'Remove signing' }).click();
      const asked = s.page.getByRole('dialog', { name: 'Remove DKIM signing?' });
      await asked.getByText('the stored private key is deleted').waitFor();
      await assertAccessible(s.page, 'settings, removing DKIM signing');
      await asked.getByRole('button', { name: 'Keep signing' }).click();
      await asked.waitFor({ state: 'hidden' });
      assert.equal((await settings()).dkim.privateKeySet, true, 'kept');
      await again.getByRole('button', { name: 'Remove signing' }).click();
      await asked.getByRole('button', { name: 'Remove signing' }).click();
      await again.getByText('Off: mail is not signed.').waitFor();
      await asked.waitFor({ state: 'hidden' });
      assert.equal((await settings()).dkim, null);

      // The key went to the server once and never came back in any answer the browser got.
      assert.ok(answers.length > 5, `${answers.length} answers seen`);
      assert.deepEqual(
        answers.filter((a) => a.includes(KEY_PART) || a.includes('PRIVATE KEY')),
        [],
      );
      assert.deepEqual(besides(s.problems, 400, 422), [], 'only the refusals the test asked for');
    });

    test('holds on a phone and in the dark theme, with a key set', async () => {
      assert.equal(
        (await server.api('PATCH', '/api/v1/settings', { dkim: { domain: 'example.com', selector: 'assent', privateKey: PEM } })).status,
        200,
      );
      for (const [name, opts] of [
        ['email-settings-mobile', { viewport: { width: 390, height: 844 } }],
        ['email-settings-dark', { colorScheme: 'dark' as const }],
      ] as const) {
        const b = await openBrowser(opts);
        try {
          await logIn(b.page, server.base, server.admin);
          await b.page.goto(`${server.base}/admin/settings`);
          await b.page.getByRole('region', { name: 'Sending' }).getByText('A key is set.').waitFor();
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

    test('a viewer sees the sending, receipt and report settings read-only; a marketer has no settings', async () => {
      const viewer = await server.user('viewer');
      const b = await openBrowser();
      try {
        await logIn(b.page, server.base, viewer);
        await b.page.goto(`${server.base}/admin/settings`);
        const sending = b.page.getByRole('region', { name: 'Sending' });
        await sending.getByText('A key is set.').waitFor();
        await b.page.mouse.move(700, 5);
        for (const label of ['Messages per second', 'Signing domain', 'Selector'])
          assert.equal(await sending.getByLabel(label).isDisabled(), true, label);
        assert.equal(await sending.getByLabel('Private key').count(), 0);
        assert.equal(await sending.getByRole('button').count(), 0, 'no save, replace or remove');
        assert.equal(await sending.getByLabel('DNS record name').inputValue(), 'assent._domainkey.example.com');
        const receipts = b.page.getByRole('region', { name: 'Consent receipts' });
        assert.equal(await receipts.getByRole('switch', { name: 'Send consent receipts' }).isDisabled(), true);
        assert.equal(await receipts.getByRole('switch', { name: 'Send consent receipts' }).isChecked(), true);
        const reports = b.page.getByRole('region', { name: 'Bounce and complaint reports' });
        assert.equal(await reports.getByRole('switch', { name: 'Receive reports by SMTP' }).isDisabled(), true);
        assert.equal(await reports.getByRole('spinbutton', { name: 'Listen on port' }).isDisabled(), true);
        assert.equal(await b.page.getByRole('button', { name: /^Save/ }).count(), 0);
        await assertAccessible(b.page, 'email settings as viewer');
        await screenshot(b.page, 'email-settings-viewer');
        assert.deepEqual(b.problems, []);
      } finally {
        await b.close();
      }
      const marketer = await server.user('marketer');
      const m = await openBrowser();
      try {
        await logIn(m.page, server.base, marketer);
        assert.equal(await m.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count(), 0);
        assert.equal((await m.page.request.get(`${server.base}/api/v1/settings`)).status(), 403);
        assert.deepEqual(m.problems, []);
      } finally {
        await m.close();
      }
    });
  });
