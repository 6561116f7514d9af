import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
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

const NOTICE = 'Yes, send me offers and news by email. You can withdraw at any time.';

/** Opens a contact's page from the list by its address, as a user would. */
async function openFromList(page: Page, base: string, email: string) {
  await page.goto(`${base}/admin/contacts`);
  await page.getByRole('link', { name: email }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
}

for (const d of BROWSER_DIALECTS)
  describe(`console: contacts, create, consent, lists, erase [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    before(async () => {
      server = await startConsoleServer(d.name);
      s = await openBrowser();
      const f = await server.api('POST', '/api/v1/contact-fields', { name: 'tier', label: 'Loyalty tier', type: 'text', personal: true });
      assert.equal(f.status, 201, JSON.stringify(f.body));
      const n = await server.api('POST', '/api/v1/contact-fields', { name: 'orders', label: 'Orders', type: 'number', personal: false });
      assert.equal(n.status, 201, JSON.stringify(n.body));
      assert.equal((await server.api('POST', '/api/v1/lists', { name: 'Newsletter' })).status, 201);
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    let id = '';
    test('the empty list leads to adding a contact; the form keeps what was typed on an error and creates it', async () => {
      const { page } = s;
      await logIn(page, server.base, server.admin);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts', exact: true }).click();
      // The dashboard says "No contacts yet" too: wait for this screen's own title first.
      await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'No contacts yet' }).waitFor();
      // The pointer off the navigation: its active link under the pointer falls short of contrast (the shell's, reported).
      await page.mouse.move(640, 790);
      assert.ok(await page.getByRole('link', { name: 'Import a CSV' }).isVisible());
      await assertAccessible(page, 'contacts list, empty');
      await screenshot(page, 'contacts-list-empty');

      await page.getByRole('link', { name: 'Add a contact' }).click();
      await page.getByRole('heading', { name: 'New contact', level: 1 }).waitFor();
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill('lea.martin@example.com');
      await page.getByLabel('First name').fill('Léa');
      await page.getByLabel('Last name').fill('Martin');
      await page.getByLabel('Loyalty tier').fill('Gold');
      await page.getByLabel('Orders').fill('twelve');
      await page.getByRole('button', { name: 'Create contact' }).click();
      await page.getByText('Enter a number, such as 12 or 4.5').waitFor();
      assert.equal(await page.getByLabel('Loyalty tier').inputValue(), 'Gold', 'nothing typed is lost');
      await assertAccessible(page, 'contact form with an error');
      await screenshot(page, 'contacts-form');
      await page.getByLabel('Orders').fill('12');
      await page.getByRole('button', { name: 'Create contact' }).click();
      await page.getByRole('heading', { name: 'Léa Martin', level: 1 }).waitFor();
      id = /\/contacts\/([^/]+)$/.exec(page.url())![1]!;
      const made = await server.api('GET', `/api/v1/contacts/${id}`);
      assert.equal(made.status, 200);
      assert.equal(made.body.data.email, 'lea.martin@example.com');
      assert.deepEqual(made.body.data.customFields, { orders: 12, tier: 'Gold' });

      // The same address again: the API's refusal shows beside the address.
      await page.goto(`${server.base}/admin/contacts/new`);
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill('LEA.martin@example.com');
      await page.getByRole('button', { name: 'Create contact' }).click();
      await page.getByText('Another contact already has this address.').waitFor();
      // Chromium logs the API's 409 answer as a failed resource: that refusal is the point here, nothing else may show.
      const refused = s.problems.filter((p) => /status of 409/.test(p));
      assert.equal(refused.length, 1, s.problems.join('\n'));
      s.problems.splice(s.problems.indexOf(refused[0]!), 1);
      // A value the API refuses (a phone over 32 characters): its message beside that input, the rest kept.
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill('other@example.com');
      await page.getByLabel('Phone').fill('+33 '.repeat(10));
      await page.getByRole('button', { name: 'Create contact' }).click();
      await page.locator('input[aria-invalid=true][type=tel]').waitFor();
      assert.equal(await page.getByRole('textbox', { name: 'Email', exact: true }).inputValue(), 'other@example.com');
      const invalid = s.problems.filter((p) => /status of 400/.test(p));
      assert.equal(invalid.length, 1, s.problems.join('\n'));
      s.problems.splice(s.problems.indexOf(invalid[0]!), 1);
      assert.deepEqual(s.problems, []);
    });

    test('changing consent needs the notice; the timeline and the API history show the change', async () => {
      const { page } = s;
      await openFromList(page, server.base, 'lea.martin@example.com');
      await page.getByRole('heading', { name: 'Consent and GDPR' }).waitFor();
      await page.getByRole('table', { name: 'What the consent gate allows' }).waitFor();
      await page.getByRole('button', { name: 'Change consent' }).click();
      const dialog = page.getByRole('dialog', { name: 'Change consent' });
      await dialog.getByLabel('New consent level').selectOption({ label: 'Marketing' });
      await dialog.getByText('At Marketing the gate allows:').waitFor();
      await dialog.getByRole('button', { name: 'Save consent' }).click();
      await dialog.getByText('Paste the text the person was shown').waitFor();
      await assertAccessible(page, 'change consent dialog');
      await dialog.getByLabel('Notice text').fill(NOTICE);
      await dialog.getByRole('button', { name: 'Save consent' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await page.getByTestId('consent-level').textContent(), 'Marketing');
      const timeline = page.getByRole('list', { name: 'Consent history' });
      await timeline.getByText('to Marketing').waitFor();
      await timeline.getByText(NOTICE).waitFor();
      const history = await server.api('GET', `/api/v1/contacts/${id}/consent/history`);
      const entry = history.body.data.find((e: { kind: string }) => e.kind === 'level');
      assert.equal(entry.newValue, 4);
      assert.equal(entry.notice.text, NOTICE);
      assert.equal(entry.source, 'admin');

      // A segment of Marketing and above, and a stored event: the page shows both, the segment with why.
      const seg = await server.api('POST', '/api/v1/segments', {
        name: 'Marketing audience',
        kind: 'dynamic',
        filter: { consent: { atLeast: 4 } },
      });
      assert.equal(seg.status, 201, JSON.stringify(seg.body));
      const ev = await server.api('POST', '/api/v1/interactions', {
        type: 'custom',
        contactId: id,
        name: 'cart.abandoned',
        behavioural: false,
      });
      assert.ok(ev.status < 300, JSON.stringify(ev.body));
      await page.reload();
      await page.getByRole('link', { name: 'Marketing audience' }).waitFor();
      await page.getByText('Consent level at least Marketing').waitFor();
      await page.getByRole('table', { name: 'Interactions' }).getByText('cart.abandoned').waitFor();

      // Consent at a time before the change: nothing recorded then.
      await page.getByLabel('Date and time').fill('2020-01-01T12:00');
      await page.getByRole('button', { name: 'Show consent then' }).click();
      await page.getByText('no consent had been recorded yet').waitFor();
      assert.deepEqual(s.problems, []);
    });

    test('editing the contact changes only what was changed; joining and leaving a list; the API agrees', async () => {
      const { page } = s;
      await page.getByRole('link', { name: 'Edit', exact: true }).click();
      await page.getByLabel('Last name').fill('Martin-Dupont');
      await page.getByLabel('Orders').fill('13');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('heading', { name: 'Léa Martin-Dupont', level: 1 }).waitFor();
      const edited = (await server.api('GET', `/api/v1/contacts/${id}`)).body.data;
      assert.equal(edited.lastName, 'Martin-Dupont');
      assert.deepEqual(edited.customFields, { orders: 13, tier: 'Gold' });
      assert.equal(edited.consentLevel, 4, 'consent untouched by an edit');
      await page.getByLabel('Add to a list').selectOption({ label: 'Newsletter' });
      await page.getByRole('button', { name: 'Join list' }).click();
      await page.getByRole('button', { name: 'Leave Newsletter' }).waitFor();
      const joined = await server.api('GET', `/api/v1/contacts/${id}/lists`);
      assert.equal(joined.body.data.length, 1);
      await page.getByRole('list', { name: 'Consent history' }).getByText('Joined Newsletter').waitFor();
      await assertAccessible(page, 'contact page');
      await screenshot(page, 'contacts-page');
      await page.getByRole('button', { name: 'Leave Newsletter' }).click();
      await page.getByText('Not on any list.').waitFor();
      assert.deepEqual((await server.api('GET', `/api/v1/contacts/${id}/lists`)).body.data, []);
      await page.getByRole('list', { name: 'Consent history' }).getByText('Left Newsletter').waitFor();
      // Back on, for the list's column.
      await page.getByLabel('Add to a list').selectOption({ label: 'Newsletter' });
      await page.getByRole('button', { name: 'Join list' }).click();
      await page.getByRole('button', { name: 'Leave Newsletter' }).waitFor();
      assert.deepEqual(s.problems, []);
    });

    test('the list shows, filters and sorts contacts by names, never numbers', async () => {
      const { page } = s;
      for (const [email, firstName] of [
        ['ana@example.com', 'Ana'],
        ['zoe@example.com', 'Zoë'],
      ])
        assert.equal((await server.api('POST', '/api/v1/contacts', { email, firstName })).status, 201);
      await page.goto(`${server.base}/admin/contacts`);
      const table = page.getByRole('table', { name: 'Contacts' });
      const lea = table.getByRole('row').filter({ hasText: 'lea.martin@example.com' });
      await lea.getByText('Marketing').waitFor();
      await lea.getByText('Newsletter').waitFor();
      await page.getByText('3 contacts').waitFor();
      await assertAccessible(page, 'contacts list, filled');
      await screenshot(page, 'contacts-list');
      await page.getByLabel('Consent level').selectOption({ label: 'Marketing' });
      await page.getByText('1 contact', { exact: true }).waitFor();
      await page.getByLabel('Consent level').selectOption({ label: 'Any level' });
      await page.getByText('3 contacts').waitFor();
      await page.getByLabel('List', { exact: true }).selectOption({ label: 'Newsletter' });
      await page.getByText('1 contact', { exact: true }).waitFor();
      await page.getByLabel('List', { exact: true }).selectOption({ label: 'Any list' });
      await page.getByLabel('Segment').selectOption({ label: 'Marketing audience' });
      await page.getByText('1 contact', { exact: true }).waitFor();
      assert.ok(await table.getByText('lea.martin@example.com').isVisible());
      await page.getByLabel('Segment').selectOption({ label: 'Any segment' });
      await page.getByText('3 contacts').waitFor();
      await page.getByLabel('Search').fill('zoe');
      await page.getByText('1 contact', { exact: true }).waitFor();
      assert.ok(await table.getByText('zoe@example.com').isVisible());
      assert.ok(!page.url().includes('zoe'), 'search text stays out of the URL');
      await page.getByLabel('Search').fill('');
      await page.getByText('3 contacts').waitFor();
      // Name, descending: Zoë first.
      await page.getByRole('button', { name: /^Name/ }).click();
      await page.getByRole('button', { name: /^Name/ }).click();
      await table.locator('th[aria-sort=descending]').waitFor();
      await page.waitForFunction(() => document.querySelector('tbody tr td')?.textContent === 'zoe@example.com');
      assert.deepEqual(s.problems, []);
    });

    test('erasing the contact from its page: the page says it is gone, the API answers 404, the list no longer shows it', async () => {
      const { page } = s;
      await openFromList(page, server.base, 'lea.martin@example.com');
      await page.getByRole('button', { name: 'Erase' }).click();
      const dialog = page.getByRole('dialog', { name: 'Erase this contact' });
      await dialog.getByLabel('Type lea.martin@example.com to confirm').fill('someone else');
      await dialog.getByRole('button', { name: 'Erase for good' }).click();
      await dialog.getByText('Type the contact’s email address exactly').waitFor();
      await assertAccessible(page, 'erase dialog');
      assert.equal((await server.api('GET', `/api/v1/contacts/${id}`)).status, 200, 'not erased on a wrong confirmation');
      await dialog.getByLabel('Type lea.martin@example.com to confirm').fill('lea.martin@example.com');
      await dialog.getByRole('button', { name: 'Erase for good' }).click();
      await page.getByRole('heading', { name: 'Contact erased', level: 1 }).waitFor();
      assert.equal((await server.api('GET', `/api/v1/contacts/${id}`)).status, 404);
      await page.getByRole('link', { name: 'Back to the contacts' }).click();
      await page.getByText('2 contacts').waitFor();
      assert.equal(await page.getByText('lea.martin@example.com').count(), 0);
      assert.deepEqual(s.problems, []);
    });
  });

describe('console: contacts by role, hostile values, small screen and dark theme [sqlite]', { skip: browserSkip }, () => {
  let server: ConsoleServer;
  const XSS_NAME = '<img src=x onerror=alert(1)>';
  const XSS_FIELD = '"><script>alert(2)</script>';
  let hostile = '';
  let child = '';
  before(async () => {
    server = await startConsoleServer('sqlite');
    assert.equal(
      (await server.api('POST', '/api/v1/contact-fields', { name: 'note', label: 'Note', type: 'text', personal: true })).status,
      201,
    );
    const made = await server.api('POST', '/api/v1/contacts', {
      email: 'hostile@example.com',
      firstName: XSS_NAME,
      lastName: XSS_FIELD,
      customFields: { note: XSS_FIELD },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    hostile = made.body.data.id;
    const kid = await server.api('POST', '/api/v1/contacts', {
      email: 'kid@example.com',
      firstName: 'Kid',
      isChild: true,
      guardianId: hostile,
    });
    assert.equal(kid.status, 201, JSON.stringify(kid.body));
    child = kid.body.data.id;
  });
  after(async () => server?.stop());

  const buttons = async (page: Page) => {
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    await page.getByRole('heading', { name: 'Consent history' }).waitFor();
    const has = async (name: string) => (await page.getByRole('button', { name, exact: true }).count()) > 0;
    const link = async (name: string) => (await page.getByRole('link', { name, exact: true }).count()) > 0;
    return {
      edit: await link('Edit'),
      consent: await has('Change consent'),
      export: await has('Access export'),
      erase: await has('Erase'),
    };
  };

  test('a viewer sees contacts and a contact page with no edit, consent, export or erase action', async () => {
    const s = await openBrowser();
    try {
      await logIn(s.page, server.base, await server.user('viewer'));
      await s.page.goto(`${server.base}/admin/contacts`);
      await s.page.getByRole('table', { name: 'Contacts' }).waitFor();
      assert.equal(await s.page.getByRole('link', { name: 'New contact' }).count(), 0);
      await s.page.goto(`${server.base}/admin/contacts/${hostile}`);
      assert.deepEqual(await buttons(s.page), { edit: false, consent: false, export: false, erase: false });
      assert.equal(await s.page.getByRole('button', { name: /^Leave / }).count(), 0);
      assert.equal(await s.page.getByLabel('Add to a list').count(), 0);
      assert.deepEqual(s.problems, []);
    } finally {
      await s.close();
    }
  });

  test('a marketer may edit and change consent (lower only), but not export or erase', async () => {
    const s = await openBrowser();
    try {
      await logIn(s.page, server.base, await server.user('marketer'));
      await s.page.goto(`${server.base}/admin/contacts/${hostile}`);
      assert.deepEqual(await buttons(s.page), { edit: true, consent: true, export: false, erase: false });
      await s.page.goto(`${server.base}/admin/contacts`);
      await s.page.getByRole('link', { name: 'New contact' }).waitFor();
      assert.deepEqual(s.problems, []);
    } finally {
      await s.close();
    }
  });

  test('a privacy officer downloads the access export and may erase', async () => {
    const s = await openBrowser();
    try {
      await logIn(s.page, server.base, await server.user('privacy_officer'));
      await s.page.goto(`${server.base}/admin/contacts/${hostile}`);
      assert.deepEqual(await buttons(s.page), { edit: true, consent: true, export: true, erase: true });
      const download = s.page.waitForEvent('download');
      await s.page.getByRole('button', { name: 'Access export' }).click();
      const file = await download;
      assert.match(file.suggestedFilename(), /^access-export-.+\.json$/);
      const doc = JSON.parse(await (await import('node:fs/promises')).readFile((await file.path())!, 'utf8'));
      assert.ok(JSON.stringify(doc).includes('hostile@example.com'), 'the export holds the contact');
      // The child's page links to its guardian's, and shows it has no guardian consent.
      await s.page.goto(`${server.base}/admin/contacts/${child}`);
      await s.page.getByText('has not given consent').waitFor();
      await s.page.getByRole('button', { name: 'Record guardian consent' }).click();
      await s.page.getByText('has given consent').waitFor();
      const c = await server.api('GET', `/api/v1/contacts/${child}`);
      assert.equal(c.body.data.guardianConsent, true);
      assert.deepEqual(s.problems, []);
    } finally {
      await s.close();
    }
  });

  test('hostile values are shown as text on the list and the page, at 390×844 in the dark theme', async () => {
    const s = await openBrowser({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    try {
      await logIn(s.page, server.base, server.admin);
      await s.page.goto(`${server.base}/admin/contacts`);
      const row = s.page.getByRole('table', { name: 'Contacts' }).getByRole('row').filter({ hasText: 'hostile@example.com' });
      await row.getByText(`${XSS_NAME} ${XSS_FIELD}`).waitFor();
      await assertAccessible(s.page, 'contacts list, small and dark');
      await screenshot(s.page, 'contacts-list-390-dark');
      const width = await s.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no page-wide overflow (${width}px)`);
      await s.page.goto(`${server.base}/admin/contacts/${hostile}`);
      await s.page.getByRole('heading', { name: `${XSS_NAME} ${XSS_FIELD}`, level: 1 }).waitFor();
      await s.page.getByText(XSS_FIELD, { exact: true }).first().waitFor();
      await assertAccessible(s.page, 'contact page, small and dark');
      await screenshot(s.page, 'contacts-page-390-dark');
      const pageWidth = await s.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(pageWidth <= 390, `no page-wide overflow (${pageWidth}px)`);
      await s.page.goto(`${server.base}/admin/contacts/${hostile}/edit`);
      assert.equal(await s.page.getByLabel('First name').inputValue(), XSS_NAME);
      await assertAccessible(s.page, 'contact form, small and dark');
      await screenshot(s.page, 'contacts-form-390-dark');
      assert.equal(await s.page.locator('img[src=x]').count(), 0, 'no element made from a value');
      assert.deepEqual(s.problems, [], 'no dialog, console error or page error');
    } finally {
      await s.close();
    }
  });
});
