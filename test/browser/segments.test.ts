// Segments in the console (issue 13 point 4): a nested segment built in the visual builder counts what
// the API counts, survives the JSON view, is saved, lists its members and explains one; a static
// snapshot follows new data; a viewer reads but cannot change. Data is made through the API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
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

/** The spring sale's message id: what behaviour conditions name as their reference. */
const SPRING_SALE = '01938a70-5a1e-7000-8000-000000000001';

interface World {
  newsletter: string;
  vip: string;
  contacts: Record<string, string>;
}

/** Contacts with fields, levels, lists and interactions, each made through the API. */
async function makeWorld(server: ConsoleServer): Promise<World> {
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await server.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body?.data;
  };
  await ok('POST', '/api/v1/contact-fields', { name: 'tier', label: 'Loyalty tier', type: 'text', personal: false });
  const newsletter = (await ok('POST', '/api/v1/lists', { name: 'Monthly newsletter' })).id;
  const vip = (await ok('POST', '/api/v1/lists', { name: 'VIP customers' })).id;
  const people: [string, { country?: string; level: number; lists: string[]; sent: number; tier?: string; firstName?: string }][] = [
    ['zoe@example.com', { firstName: 'Zoë', country: 'FR', level: 4, lists: [newsletter], sent: 0, tier: 'gold' }],
    ['ann@example.com', { firstName: 'Ann', country: 'DE', level: 4, lists: [newsletter], sent: 3 }],
    ['bob@example.com', { firstName: 'Bob', country: 'NL', level: 3, lists: [], sent: 2 }],
    ['cy@example.com', { country: 'NL', level: 3, lists: [], sent: 1 }],
    ['dee@example.com', { country: 'BE', level: 2, lists: [newsletter], sent: 5 }],
    ['eve@example.com', { country: 'FR', level: 5, lists: [vip], sent: 0, tier: 'silver' }],
    ['fay@example.com', { level: 4, lists: [newsletter, vip], sent: 0 }],
    ['gil@example.com', { firstName: '"><script>alert(2)</script>', level: 1, lists: [], sent: 0 }],
  ];
  const contacts: Record<string, string> = {};
  for (const [email, p] of people) {
    const c = await ok('POST', '/api/v1/contacts', {
      email,
      ...(p.firstName ? { firstName: p.firstName } : {}),
      ...(p.country ? { country: p.country } : {}),
      lastName: '<img src=x onerror=alert(1)>',
      ...(p.tier ? { customFields: { tier: p.tier } } : {}),
    });
    contacts[email] = c.id;
    await ok('PUT', `/api/v1/contacts/${c.id}/consent`, { level: p.level, source: 'admin', notice: 'Asked at the shop counter' });
    for (const l of p.lists) await ok('PUT', `/api/v1/contacts/${c.id}/lists/${l}`, { source: 'admin' });
    for (let i = 0; i < p.sent; i++)
      await ok('POST', '/api/v1/interactions', { type: 'email_sent', contactId: c.id, messageId: SPRING_SALE });
  }
  return { newsletter, vip, contacts };
}

/** The nested filter the test builds, as the API takes it. */
const nested = (w: World, atLeast: number) => ({
  and: [
    { consent: { atLeast } },
    { or: [{ list: w.newsletter }, { behaviour: { type: 'email_sent', withinDays: 30, ref: SPRING_SALE, atLeast: 2 } }] },
    { not: { field: 'country', op: '=', value: 'DE' } },
  ],
});

const fieldset = (page: Page, legend: string | RegExp): Locator => page.getByRole('group', { name: legend });

/** Waits for the focus to land in the fieldset of this legend (a node just added takes it). */
async function focusLandsIn(page: Page, legend: string): Promise<void> {
  await page.waitForFunction((l) => document.activeElement?.closest('fieldset')?.querySelector('legend')?.textContent === l, legend, {
    timeout: 5000,
  });
}

async function liveCount(page: Page): Promise<number> {
  const status = page.getByRole('status', { name: 'Live count' });
  await status.getByTestId('live-count').waitFor();
  return Number((await status.getByTestId('live-count').textContent())!.replace(/\D/g, ''));
}

/** Waits until the live count settles on `n` (it is debounced), failing with what it shows. */
async function expectLiveCount(page: Page, n: number): Promise<void> {
  const status = page.getByRole('status', { name: 'Live count' });
  try {
    await status.getByText(new RegExp(`Matches ${n} contacts? now`)).waitFor({ timeout: 10_000 });
  } catch {
    assert.fail(`live count: expected ${n}, the screen says "${await status.textContent()}"`);
  }
}

for (const d of BROWSER_DIALECTS)
  describe(`console: segments [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    let w: World;
    let segmentId = '';
    before(async () => {
      server = await startConsoleServer(d.name);
      s = await openBrowser();
      s.page.setDefaultTimeout(10_000);
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test('the empty list leads to a new segment; the builder starts empty', async () => {
      w = await makeWorld(server);
      const { page } = s;
      await logIn(page, server.base, server.admin);
      await page.getByRole('link', { name: 'Segments' }).click();
      await page.getByRole('heading', { name: 'No segments yet' }).waitFor();
      // The pointer off the navigation: the active link under it is the shell's hover colour (see the report).
      await page.mouse.move(700, 780);
      await assertAccessible(page, 'segments list, empty');
      await screenshot(page, `segments-list-empty-${d.name}`);
      await page.getByRole('main').getByRole('link', { name: 'New segment' }).first().click();
      await page.getByRole('heading', { name: 'New segment', level: 1 }).waitFor();
      await page.getByText('Add a condition to see how many contacts it selects.').waitFor();
      await assertAccessible(page, 'segment builder, empty');
      await screenshot(page, `segments-builder-empty-${d.name}`);
      assert.deepEqual(s.problems, []);
    });

    test('a nested segment built in the builder counts what the API counts, before and after saving', async () => {
      const { page } = s;
      await page.getByLabel('Name').fill('Engaged, not in Germany');
      await page.getByLabel('Description').fill('Zoë’s spring campaign: <b>not</b> for Germany');
      // 1: consent level at least Subscriptions, chosen by its name.
      await page.getByRole('button', { name: 'Add condition to the filter' }).click();
      await page.getByRole('menuitem', { name: 'Consent level' }).click();
      // That menu has finished closing before the next opens (two menus would offer the same items).
      await page.getByRole('menu').waitFor({ state: 'detached' });
      await fieldset(page, 'Condition 1: Consent level').getByLabel('Consent level at least').selectOption({ label: 'Subscriptions' });
      // 2: any of (the newsletter list, sent the spring sale at least twice in 30 days).
      await page.getByRole('button', { name: 'Add group to the filter' }).click();
      const group = fieldset(page, 'Group 2');
      await group.getByLabel('Match').first().selectOption({ label: 'any of these (or)' });
      await page.getByRole('button', { name: 'Add condition to group 2' }).click();
      await page.getByRole('menuitem', { name: 'List membership' }).click();
      await page.getByRole('menu').waitFor({ state: 'detached' });
      await focusLandsIn(page, 'Condition 2.1: List membership');
      await fieldset(page, 'Condition 2.1: List membership').getByLabel('Member of the list').selectOption({ label: 'Monthly newsletter' });
      // By keyboard alone: the menu opens with Enter, arrows walk it, Enter picks; the new condition takes the focus.
      // The menu used last has finished closing (it hands the focus back when its transition ends).
      await page.getByRole('menu').waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Add condition to group 2' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Add condition to group 2', expanded: true }).waitFor();
      await page.getByRole('menuitem', { name: 'Contact field' }).waitFor();
      // The menu takes the focus once it has opened (a transition): arrows pressed before that are lost, so walk until there.
      for (let i = 0; i < 30 && (await page.evaluate('document.activeElement?.textContent')) !== 'Behaviour'; i++) {
        await page.keyboard.press('ArrowDown');
        await page.waitForTimeout(50);
      }
      assert.equal(
        await page.evaluate('document.activeElement?.textContent'),
        'Behaviour',
        String(await page.evaluate('document.activeElement?.outerHTML.slice(0, 300)')),
      );
      await page.keyboard.press('Enter');
      const behaviour = fieldset(page, 'Condition 2.2: Behaviour');
      await focusLandsIn(page, 'Condition 2.2: Behaviour');
      await page.keyboard.press('ArrowDown'); // a native select moves to its next option with the keyboard
      assert.equal(await behaviour.getByLabel('Interaction').inputValue(), 'email_clicked', 'from Email opened, the next option');
      await behaviour.getByLabel('Interaction').selectOption({ label: 'Email sent' });
      await behaviour.getByLabel('Which one (optional)').fill(SPRING_SALE);
      // A value out of the language's range is marked at its condition, in words.
      await behaviour.getByLabel('At least (times)').fill('0');
      await behaviour.getByText('At least (times): a whole number from 1 to 100000').waitFor();
      await assertAccessible(page, 'segment builder, a problem marked at its condition');
      await behaviour.getByLabel('At least (times)').fill('2');
      // The browser logs the preview's expected 400 for the filter with the bad value: not a problem of the console.
      s.problems.splice(0, s.problems.length, ...s.problems.filter((p) => !/status of 400/.test(p)));
      // 3: not (country is DE), by keyboard: the field's select, the operator, the value, then Negate.
      await page.getByRole('button', { name: 'Add condition to the filter' }).click();
      await page.getByRole('menuitem', { name: 'Contact field' }).click();
      await page.getByRole('menu').waitFor({ state: 'detached' });
      const country = fieldset(page, 'Condition 3: Contact field');
      await country.getByLabel('Field').focus();
      await country.getByLabel('Field').selectOption({ label: 'Country' });
      await country.getByLabel('Operator').selectOption({ label: 'is' });
      await country.getByLabel('Value').fill('DE');
      await page.getByRole('button', { name: 'Negate condition 3' }).focus();
      await page.keyboard.press('Enter');
      await fieldset(page, /^Not 3/).waitFor();

      const filter = nested(w, 3);
      const api = await server.api('POST', '/api/v1/segments/preview', { filter });
      assert.equal(api.status, 200);
      assert.equal(api.body.data.count, 3, 'zoe, bob, fay: the data is what the test means');
      await expectLiveCount(page, api.body.data.count);
      await assertAccessible(page, 'segment builder, nested');
      await screenshot(page, `segments-builder-nested-${d.name}`);

      // The JSON view shows the same filter; an edit there comes back to the visual tree.
      await page.getByRole('tab', { name: 'JSON' }).click();
      const json = page.getByLabel('Filter as JSON');
      assert.deepEqual(JSON.parse(await json.inputValue()), filter);
      await assertAccessible(page, 'segment builder, JSON view');
      await json.fill('{ "and": [ }');
      await page.getByRole('tab', { name: 'Visual builder' }).click();
      await page.getByText(/This is not valid JSON/).waitFor();
      await json.fill(JSON.stringify(nested(w, 4), null, 2));
      await page.getByRole('tab', { name: 'Visual builder' }).click();
      const level = fieldset(page, 'Condition 1: Consent level').getByLabel('Consent level at least');
      assert.equal(await level.locator('option:checked').textContent(), 'Marketing');
      const api4 = await server.api('POST', '/api/v1/segments/preview', { filter: nested(w, 4) });
      assert.equal(api4.body.data.count, 2, 'zoe, fay');
      await expectLiveCount(page, api4.body.data.count);

      await page.getByRole('button', { name: 'Save segment' }).click();
      await page.getByRole('heading', { name: 'Engaged, not in Germany', level: 1 }).waitFor();
      segmentId = /\/segments\/([0-9a-f-]+)$/.exec(page.url())?.[1] ?? '';
      assert.ok(segmentId, page.url());
      const saved = await server.api('GET', `/api/v1/segments/${segmentId}`);
      assert.deepEqual(saved.body.data.filter, nested(w, 4));
      assert.equal(saved.body.data.kind, 'dynamic');
      assert.equal(saved.body.data.description, 'Zoë’s spring campaign: <b>not</b> for Germany');
      const count = await server.api('GET', `/api/v1/segments/${segmentId}/count`);
      await page
        .getByTestId('saved-count')
        .filter({ hasText: `: ${count.body.data.count} contacts` })
        .waitFor();
      assert.equal(await liveCount(page), count.body.data.count);
      assert.deepEqual(s.problems, []);
    });

    test('the members are listed with links to their pages, and "why" explains one in words', async () => {
      const { page } = s;
      const members = page.getByRole('region', { name: 'Members' });
      await members.getByRole('link', { name: 'zoe@example.com' }).waitFor();
      const api = await server.api('GET', `/api/v1/segments/${segmentId}/members`);
      const emails = (api.body.data as { email: string }[]).map((c) => c.email).sort();
      const shown = (await members.getByRole('row').getByRole('link').allTextContents()).sort();
      assert.deepEqual(shown, emails);
      assert.equal(
        await members.getByRole('link', { name: 'zoe@example.com' }).getAttribute('href'),
        `/admin/contacts/${w.contacts['zoe@example.com']}`,
      );
      await members.getByRole('cell', { name: 'Marketing' }).first().waitFor();
      await assertAccessible(page, 'segment members');
      await screenshot(page, `segments-members-${d.name}`);

      await members.getByRole('button', { name: 'Why is zoe@example.com in it?' }).click();
      const why = page.getByRole('region', { name: 'Why zoe@example.com is in it' });
      await why.getByText('This contact is in the segment.').waitFor();
      // Each condition and group marked true or false in words, the groups combined as the server does.
      const lines = (await why.getByRole('list', { name: 'Conditions for this contact' }).innerText()).split('\n').map((l) => l.trim());
      assert.deepEqual(lines.filter(Boolean), [
        ...['true: holds', 'All of these'],
        ...['true: holds', 'Consent level is at least Marketing'],
        ...['true: holds', 'Any of these'],
        ...['true: holds', 'Is a member of Monthly newsletter'],
        ...['false: does not hold', `Email sent (“${SPRING_SALE}”) at least 2 times in the last 30 days`],
        ...['true: holds', 'Not this'],
        ...['false: does not hold', 'Country is “DE”'],
      ]);
      const explained = await server.api('GET', `/api/v1/segments/${segmentId}/explain?contact=${w.contacts['zoe@example.com']}`);
      assert.equal(explained.body.data.member, true);
      await assertAccessible(page, 'segment: why is this contact in it');
      await screenshot(page, `segments-why-${d.name}`);
      assert.deepEqual(s.problems, []);
    });

    test('a static segment keeps its snapshot until a new one is taken', async () => {
      const { page } = s;
      await page.getByRole('link', { name: 'All segments' }).click();
      await page.getByRole('link', { name: 'Engaged, not in Germany' }).waitFor();
      await page.getByRole('main').getByRole('link', { name: 'New segment' }).click();
      await page.getByLabel('Name').fill('VIP snapshot');
      await page.getByRole('radio', { name: /Static/ }).check();
      await page.getByRole('button', { name: 'Add condition to the filter' }).click();
      await page.getByRole('menuitem', { name: 'List membership' }).click();
      await page.getByRole('menu').waitFor({ state: 'detached' });
      await fieldset(page, 'Condition 1: List membership').getByLabel('Member of the list').selectOption({ label: 'VIP customers' });
      await expectLiveCount(page, 2);
      await page.getByRole('button', { name: 'Save segment' }).click();
      await page.getByRole('heading', { name: 'VIP snapshot', level: 1 }).waitFor();
      const id = /\/segments\/([0-9a-f-]+)$/.exec(page.url())![1]!;
      await page.getByTestId('saved-count').filter({ hasText: ': 2 contacts' }).waitFor();
      // A third VIP joins: the snapshot stays at two until it is taken again.
      const r = await server.api('PUT', `/api/v1/contacts/${w.contacts['ann@example.com']}/lists/${w.vip}`, { source: 'admin' });
      assert.ok(r.status < 300);
      assert.equal((await server.api('GET', `/api/v1/segments/${id}/count`)).body.data.count, 2);
      await page.getByRole('button', { name: 'Take a new snapshot' }).click();
      await page.getByText(/^Snapshot taken /).waitFor();
      await page.getByTestId('saved-count').filter({ hasText: ': 3 contacts' }).waitFor();
      assert.equal((await server.api('GET', `/api/v1/segments/${id}/count`)).body.data.count, 3);
      await page.getByRole('region', { name: 'Members' }).getByRole('link', { name: 'ann@example.com' }).waitFor();

      await page.getByRole('link', { name: 'All segments' }).click();
      const row = page.getByRole('row').filter({ hasText: 'VIP snapshot' });
      await row.getByText('static snapshot').waitFor();
      await page
        .getByRole('row')
        .filter({ hasText: 'Engaged, not in Germany' })
        .getByText('Zoë’s spring campaign: <b>not</b> for Germany')
        .waitFor();
      await row.getByRole('cell', { name: '3', exact: true }).waitFor();
      await page.getByRole('row').filter({ hasText: 'Engaged, not in Germany' }).getByRole('cell', { name: '2', exact: true }).waitFor();
      await assertAccessible(page, 'segments list');
      await screenshot(page, `segments-list-${d.name}`);
      assert.deepEqual(s.problems, []);
    });

    test('a segment is deleted only after confirming, and its contacts stay', async () => {
      const { page } = s;
      await page.getByRole('link', { name: 'VIP snapshot' }).click();
      await page.getByRole('heading', { name: 'VIP snapshot', level: 1 }).waitFor();
      const id = /\/segments\/([0-9a-f-]+)$/.exec(page.url())![1]!;
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete “VIP snapshot”?' });
      await dialog.getByRole('button', { name: 'Keep it' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal((await server.api('GET', `/api/v1/segments/${id}`)).status, 200, 'kept');
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      // Once the dialog has faded in: axe reads colours half-way through the transition otherwise.
      await page.waitForFunction(() => {
        const d = document.querySelector('[role=dialog]');
        return !!d && getComputedStyle(d).opacity === '1';
      });
      await assertAccessible(page, 'segment: delete confirmation');
      await screenshot(page, `segments-delete-${d.name}`);
      await dialog.getByRole('button', { name: 'Delete the segment' }).click();
      await page.getByRole('heading', { name: 'Segments', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Engaged, not in Germany' }).waitFor();
      await page.getByRole('link', { name: 'VIP snapshot' }).waitFor({ state: 'detached', timeout: 2000 });
      assert.equal((await server.api('GET', `/api/v1/segments/${id}`)).status, 404);
      assert.equal((await server.api('GET', `/api/v1/contacts/${w.contacts['eve@example.com']}`)).status, 200);
      assert.deepEqual(s.problems, []);
    });

    test('a viewer sees the segments and their builder, but no new, save or snapshot; at 390×844 in dark theme', async () => {
      const viewer = await server.user('viewer');
      const v = await openBrowser({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
      try {
        const { page } = v;
        await logIn(page, server.base, viewer);
        await page.goto(`${server.base}/admin/segments`);
        await page.getByRole('link', { name: 'Engaged, not in Germany' }).waitFor();
        assert.equal(await page.getByRole('link', { name: 'New segment' }).count(), 0);
        await assertAccessible(page, 'segments list, viewer, 390×844 dark');
        await screenshot(page, `segments-list-viewer-mobile-dark-${d.name}`);
        await page.getByRole('link', { name: 'Engaged, not in Germany' }).click();
        await page.getByRole('heading', { name: 'Engaged, not in Germany', level: 1 }).waitFor();
        await expectLiveCount(page, 2);
        assert.equal(await page.getByRole('button', { name: /Save/ }).count(), 0);
        assert.equal(await page.getByRole('button', { name: /Add condition|Add group|Remove|Negate/ }).count(), 0);
        assert.equal(await fieldset(page, 'Condition 1: Consent level').getByLabel('Consent level at least').isDisabled(), true);
        await assertAccessible(page, 'segment builder, viewer, 390×844 dark');
        await screenshot(page, `segments-builder-viewer-mobile-dark-${d.name}`);
        // No page-wide overflow at 390 px: tables scroll inside their container.
        assert.ok(((await page.evaluate('document.documentElement.scrollWidth')) as number) <= 390);
        assert.deepEqual(v.problems, []);
      } finally {
        await v.close();
      }
    });
  });
