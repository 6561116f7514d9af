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

const DAY = 86_400_000;
const MESSAGE = '01900000-0000-7000-8000-0000000000aa';

/** The rows of the consent table on the dashboard: level name -> contacts shown. */
async function consentTable(page: Page): Promise<Record<string, string>> {
  const table = page.getByRole('table', { name: 'Contacts at each consent level now' });
  await table.waitFor();
  const out: Record<string, string> = {};
  for (const row of await table.locator('tbody tr').all())
    out[(await row.getByRole('rowheader').textContent()) ?? ''] = (await row.getByRole('cell').first().textContent()) ?? '';
  return out;
}

/** API paths the page called, to prove a card the role may not read never asked its API. */
function apiCalls(page: Page): Set<string> {
  const seen = new Set<string>();
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/')) seen.add(u.pathname);
  });
  return seen;
}

for (const d of SQLITE_BROWSER)
  describe(`console: dashboard [${d.name}]`, { skip: browserSkip || d.skip }, () => {
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

    test('an empty installation leads to the first actions', async () => {
      await logIn(s.page, server.base, server.admin);
      await s.page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      await s.page.getByRole('heading', { name: 'No contacts yet' }).waitFor();
      await s.page.getByRole('link', { name: 'Import a spreadsheet' }).waitFor();
      await s.page.getByRole('link', { name: 'Build a segment' }).waitFor();
      await s.page.getByText('No open requests.').waitFor();
      await s.page.getByText('Nothing recorded in the last 30 days.').waitFor();
      await assertAccessible(s.page, 'dashboard, empty installation');
      await screenshot(s.page, 'dashboard-empty');
      assert.deepEqual(s.problems, []);
    });

    test('data made through the API shows with the right numbers, level names and latest activity', async () => {
      // Contacts: 3 at (none), 2 at Subscriptions, 1 at Profiling.
      const levels = [0, 0, 0, 3, 3, 5];
      for (const [i, level] of levels.entries()) {
        const c = await server.api('POST', '/api/v1/contacts', { email: `dash${i}@example.com`, firstName: `Dash ${i}` });
        assert.equal(c.status, 201, JSON.stringify(c.body));
        if (level > 0) {
          const r = await server.api('PUT', `/api/v1/contacts/${c.body.data.id}/consent`, {
            level,
            source: 'admin',
            notice: 'Test notice',
          });
          assert.equal(r.status, 200, JSON.stringify(r.body));
        }
      }
      // Interactions today and two days ago.
      const now = Date.now();
      const events = [
        ...Array.from({ length: 4 }, () => ({ type: 'email_sent', email: 'dash0@example.com', messageId: MESSAGE })),
        { type: 'email_sent', email: 'dash1@example.com', messageId: MESSAGE, at: new Date(now - 2 * DAY).toISOString() },
        { type: 'page_visited', email: 'dash5@example.com', url: 'https://shop.example.com/bread' },
      ];
      const ingested = await server.api('POST', '/api/v1/interactions', { events });
      assert.equal(ingested.status, 200, JSON.stringify(ingested.body));
      // Requests: one overdue (received two months ago), one due in about a month.
      for (const [email, receivedAt] of [
        ['late@example.com', new Date(now - 62 * DAY).toISOString()],
        ['fresh@example.com', new Date(now - DAY).toISOString()],
      ] as const) {
        const r = await server.api('POST', '/api/v1/requests', {
          type: 'access',
          email,
          receivedAt,
          verified: true,
          note: 'Checked by phone',
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }

      await s.page.reload();
      await s.page.getByRole('heading', { name: 'Contacts by consent level' }).waitFor();
      const api = (await server.api('GET', '/api/v1/stats/contacts')).body.data;
      assert.equal(api.total, 6);
      const names = (await server.api('GET', '/api/v1/settings/consent-levels')).body.data.consentLevels as {
        level: number;
        name: string;
      }[];
      const expected = Object.fromEntries(
        api.levels.map((l: { level: number; count: number }) => [names.find((n) => n.level === l.level)!.name, String(l.count)]),
      );
      assert.deepEqual(await consentTable(s.page), expected, 'every level by name, with the API’s numbers');
      assert.equal(expected['(none)'], '3');
      assert.equal(expected.Subscriptions, '2');
      assert.equal(expected.Profiling, '1');
      await s.page.getByText('6 contacts').waitFor();
      // The chart draws the level names too (its labels are for the eye; the table is for screen readers).
      await s.page.locator('.recharts-cartesian-axis-tick-label').filter({ hasText: 'Subscriptions' }).first().waitFor();

      await s.page.getByText(/5 emails sent, 1 page visit\./).waitFor();
      const requests = (await server.api('GET', '/api/v1/stats/requests')).body.data;
      assert.deepEqual([requests.open, requests.overdue], [2, 1]);
      assert.equal(await s.page.getByTestId('requests-open').textContent(), '2');
      assert.equal(await s.page.getByTestId('requests-overdue').textContent(), '1');
      assert.equal(await s.page.getByTestId('requests-due within 7 days').textContent(), '0', 'the overdue one is not counted twice');
      await s.page.getByText('One request is past the legal deadline').waitFor();

      const activity = s.page.getByRole('region', { name: 'Latest activity' });
      await activity.getByRole('cell', { name: 'created a data request' }).first().waitFor();
      await activity.getByRole('cell', { name: 'You' }).first().waitFor();
      assert.equal(await activity.getByRole('row').count(), 11, 'ten entries and the header');
      assert.equal(await activity.getByRole('cell', { name: 'read the audit log' }).count(), 0, 'the card’s own reads are left out');

      await assertAccessible(s.page, 'dashboard with data');
      await screenshot(s.page, 'dashboard');
      assert.deepEqual(s.problems, []);
    });

    test('holds on a phone and in the dark theme', async () => {
      for (const [name, opts] of [
        ['dashboard-mobile', { viewport: { width: 390, height: 844 } }],
        ['dashboard-dark', { colorScheme: 'dark' as const }],
      ] as const) {
        const b = await openBrowser(opts);
        try {
          await logIn(b.page, server.base, server.admin);
          await b.page.getByRole('table', { name: 'Contacts at each consent level now' }).waitFor();
          await b.page.getByTestId('requests-open').waitFor();
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

    test('a marketer sees contacts and interactions, and no requests or audit card, whose APIs are never called', async () => {
      const marketer = await server.user('marketer');
      const b = await openBrowser();
      try {
        const calls = apiCalls(b.page);
        await logIn(b.page, server.base, marketer);
        await b.page.getByRole('table', { name: 'Contacts at each consent level now' }).waitFor();
        await b.page.getByRole('heading', { name: 'Interactions per day' }).waitFor();
        assert.equal(await b.page.getByRole('heading', { name: 'Data requests' }).count(), 0);
        assert.equal(await b.page.getByRole('heading', { name: 'Latest activity' }).count(), 0);
        assert.ok(calls.has('/api/v1/stats/contacts'));
        assert.ok(!calls.has('/api/v1/stats/requests'), 'the requests count is not asked for');
        assert.ok(!calls.has('/api/v1/audit'), 'the audit log is not asked for');
        await assertAccessible(b.page, 'dashboard as marketer');
        await screenshot(b.page, 'dashboard-marketer');
        assert.deepEqual(b.problems, []);
      } finally {
        await b.close();
      }
    });
  });
