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

/** The horizontal overflow of the whole page (a table scrolls inside itself instead). */
const pageOverflow = (s: Session) => s.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/**
 * Takes the browser's console lines for refusals the flow asked for (a 400 or 409 it provoked to
 * see the message) out of the problems, failing on any other.
 */
function expectRefusals(s: Session, statuses: number[]): void {
  const refused = s.problems.filter((p) => statuses.some((n) => p.includes(`status of ${n}`)));
  assert.equal(refused.length, statuses.length, `the refusals asked for: ${s.problems.join('; ')}`);
  s.problems.splice(0, s.problems.length, ...s.problems.filter((p) => !refused.includes(p)));
}

for (const d of SQLITE_BROWSER)
  describe(`console: lists, custom fields, custom entities [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    let listId = '';
    before(async () => {
      server = await startConsoleServer(d.name);
      s = await openBrowser();
      await logIn(s.page, server.base, server.admin);
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test('a list: created in the console, members added through the API shown, one removed, renamed; the API agrees', async () => {
      const { page } = s;
      await page.goto(`${server.base}/admin/lists`);
      await page.getByRole('heading', { name: 'No lists yet' }).waitFor();
      await assertAccessible(page, 'lists, empty');
      await screenshot(page, 'lists-empty');

      await page.getByRole('button', { name: 'New list' }).click();
      const form = page.getByRole('dialog', { name: 'New list' });
      await form.getByLabel('Name').fill('Monthly newsletter');
      await form.getByLabel('Description').fill('News from the bakery, about once a month');
      await assertAccessible(page, 'lists, new list form');
      await form.getByRole('button', { name: 'Create list' }).click();
      await page.getByRole('heading', { name: 'Monthly newsletter', level: 1 }).waitFor();
      listId = page.url().split('/').pop()!;
      await page.getByRole('heading', { name: 'Nobody is on this list yet' }).waitFor();
      await assertAccessible(page, 'list page, no members');
      const made = (await server.api('GET', `/api/v1/lists/${listId}`)).body.data;
      assert.equal(made.name, 'Monthly newsletter');
      assert.equal(made.description, 'News from the bakery, about once a month');

      // Members join through the API (a program, a form): the console shows them.
      const ids: Record<string, string> = {};
      for (const [email, firstName] of [
        ['ada@example.com', 'Ada'],
        ['ben@example.com', 'Ben'],
        ['cleo@example.com', 'Cleo'],
      ] as const) {
        const c = await server.api('POST', '/api/v1/contacts', { email, firstName, lastName: 'Member' });
        assert.equal(c.status, 201);
        ids[email] = c.body.data.id;
      }
      const joined = await server.api('POST', `/api/v1/lists/${listId}/members`, { contactIds: Object.values(ids) });
      assert.equal(joined.status, 200, JSON.stringify(joined.body));
      await page.reload();
      const members = page.getByRole('table', { name: 'Members' });
      await members.getByRole('link', { name: 'cleo@example.com' }).waitFor();
      assert.equal(await members.getByRole('row').count(), 4, 'a header and three members');
      assert.match(
        (await members.getByRole('link', { name: 'ben@example.com' }).getAttribute('href')) ?? '',
        new RegExp(`/admin/contacts/${ids['ben@example.com']}$`),
      );
      await page.getByText('3 members').waitFor();
      await assertAccessible(page, 'list page, members');
      await screenshot(page, 'lists-page');

      // Remove Ben: confirmed, recorded; the API agrees.
      await members.getByRole('checkbox', { name: 'Select ben@example.com' }).check();
      await page.getByRole('button', { name: 'Remove 1 from the list' }).click();
      const confirm = page.getByRole('dialog', { name: 'Remove from the list?' });
      await confirm.getByText('1 contact leaves Monthly newsletter').waitFor();
      await assertAccessible(page, 'list page, confirm removal');
      await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Removed from the list' }).waitFor();
      await members.getByRole('link', { name: 'ben@example.com' }).waitFor({ state: 'detached' });
      assert.equal(await members.getByRole('row').count(), 3);
      const left = (await server.api('GET', `/api/v1/contacts?list=${listId}`)).body;
      assert.equal(left.page.total, 2);
      assert.deepEqual(left.data.map((c: { email: string }) => c.email).sort(), ['ada@example.com', 'cleo@example.com']);
      assert.deepEqual((await server.api('GET', `/api/v1/contacts/${ids['ben@example.com']}/lists`)).body.data, []);
      const history = (await server.api('GET', `/api/v1/contacts/${ids['ben@example.com']}/consent/history`)).body.data;
      assert.ok(JSON.stringify(history).includes(listId), 'the leave is in the consent history');

      // Rename: a name in use is refused at the field, keeping what was typed; then a free one.
      assert.equal((await server.api('POST', '/api/v1/lists', { name: 'Offers' })).status, 201);
      await page.getByRole('button', { name: 'Rename' }).click();
      const rename = page.getByRole('dialog', { name: 'Rename the list' });
      await rename.getByLabel('Name').fill('Offers');
      await rename.getByRole('button', { name: 'Save' }).click();
      await rename.getByText('Another list has this name').waitFor();
      expectRefusals(s, [409]);
      assert.equal(await rename.getByLabel('Name').inputValue(), 'Offers');
      await assertAccessible(page, 'list page, rename refused');
      await rename.getByLabel('Name').fill('Monthly news');
      await rename.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Monthly news', level: 1 }).waitFor();
      assert.equal((await server.api('GET', `/api/v1/lists/${listId}`)).body.data.name, 'Monthly news');

      await page.getByRole('link', { name: 'All lists' }).click();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Monthly news' }) });
      await row.getByRole('cell', { name: '2', exact: true }).waitFor();
      await assertAccessible(page, 'lists');
      await screenshot(page, 'lists-index');
      assert.deepEqual(s.problems, []);
    });

    test('custom fields: a bad name gets a clear message, a new field is in the API', async () => {
      const { page } = s;
      await page.goto(`${server.base}/admin/fields`);
      await page.getByRole('heading', { name: 'No custom fields yet' }).waitFor();
      await assertAccessible(page, 'fields, empty');
      await screenshot(page, 'fields-empty');

      await page.getByRole('button', { name: 'New field' }).click();
      const form = page.getByRole('dialog', { name: 'New custom field' });
      await form.getByLabel('Label').fill('Loyalty tier');
      assert.equal(await form.getByRole('textbox', { name: 'Name' }).inputValue(), 'loyalty_tier', 'the name follows the label');
      await form.getByRole('textbox', { name: 'Name' }).fill('Loyalty Tier!');
      await form.getByRole('button', { name: 'Define field' }).click();
      await form.getByText('Use lower-case letters, digits and _ only').waitFor();
      expectRefusals(s, [400]);
      assert.equal(await form.getByLabel('Label').inputValue(), 'Loyalty tier', 'nothing typed is lost');
      await assertAccessible(page, 'fields, refused name');
      await form.getByRole('textbox', { name: 'Name' }).fill('loyalty_tier');
      await form.getByLabel('Type').selectOption('text');
      await form.getByRole('button', { name: 'Define field' }).click();
      await page.getByRole('status').filter({ hasText: 'Field defined' }).waitFor();
      const table = page.getByRole('table', { name: 'Custom fields' });
      await table.getByRole('cell', { name: 'Loyalty tier' }).waitFor();
      const fields = (await server.api('GET', '/api/v1/contact-fields')).body.data;
      assert.deepEqual(
        fields.map((f: { name: string; label: string; type: string; personal: boolean }) => [f.name, f.label, f.type, f.personal]),
        [['loyalty_tier', 'Loyalty tier', 'text', true]],
      );

      // The same name again: refused by the API, said at the name.
      await page.getByRole('button', { name: 'New field' }).click();
      await form.getByLabel('Label').fill('Loyalty tier');
      await form.getByRole('button', { name: 'Define field' }).click();
      await form.getByText('A field with this name exists').waitFor();
      expectRefusals(s, [409]);
      await form.getByRole('button', { name: 'Cancel' }).click();
      await assertAccessible(page, 'fields');
      await screenshot(page, 'fields');
      assert.deepEqual(s.problems, []);
    });

    test('custom entities: define one in the console, browse its records, view one', async () => {
      const { page } = s;
      await page.goto(`${server.base}/admin/entities`);
      await page.getByRole('heading', { name: 'No custom entities yet' }).waitFor();
      await assertAccessible(page, 'entities, empty');
      await screenshot(page, 'entities-empty');

      await page.getByRole('link', { name: 'New entity' }).click();
      await page.getByRole('heading', { name: 'New custom entity', level: 1 }).waitFor();
      await page.getByLabel('Label').fill('Orders');
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('orders');
      await page.getByRole('radio', { name: /Keep the records/ }).check();
      await page.getByLabel('Keep records for').selectOption('P2Y');
      await page.getByLabel('Field 1 name').fill('total');
      await page.getByLabel('Field 1 type').selectOption('number');
      await page.getByRole('button', { name: 'Add a field' }).click();
      await page.getByLabel('Field 2 name').fill('reference');
      await page.getByLabel('Field 2 is personal data').check();
      await assertAccessible(page, 'entities, new entity form');
      await screenshot(page, 'entities-new');
      await page.getByRole('button', { name: 'Define entity' }).click();
      await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'No records yet' }).waitFor();
      const entity = (await server.api('GET', '/api/v1/entities/orders')).body.data;
      assert.equal(entity.label, 'Orders');
      assert.equal(entity.linked, true);
      assert.equal(entity.erase, 'anonymise');
      assert.equal(entity.retention, 'P2Y');
      assert.deepEqual(
        entity.fields.map((f: { name: string; type: string; personal: boolean }) => [f.name, f.type, f.personal]),
        [
          ['total', 'number', false],
          ['reference', 'text', true],
        ],
      );

      const c = (await server.api('POST', '/api/v1/contacts', { email: 'buyer@example.com' })).body.data;
      for (const [total, reference] of [
        [42.5, 'A-1001'],
        [7, 'A-1002'],
      ] as const) {
        const r = await server.api('POST', '/api/v1/entities/orders/records', { contactId: c.id, fields: { total, reference } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      await page.reload();
      const records = page.getByRole('table', { name: 'Records' });
      await records.getByRole('cell', { name: 'A-1002' }).waitFor();
      assert.equal(await records.getByRole('row').count(), 3);
      await assertAccessible(page, 'entity records');
      await screenshot(page, 'entities-records');
      await records
        .getByRole('row')
        .filter({ hasText: 'A-1001' })
        .getByRole('link', { name: /^Created/ })
        .click();
      await page.getByRole('heading', { name: 'Orders record', level: 1 }).waitFor();
      await page.getByText('42.5', { exact: true }).waitFor();
      await page.getByText('A-1001', { exact: true }).waitFor();
      assert.match(
        (await page.getByRole('link', { name: 'Open the contact' }).getAttribute('href')) ?? '',
        new RegExp(`/admin/contacts/${c.id}$`),
      );
      await assertAccessible(page, 'entity record');
      await screenshot(page, 'entities-record');
      assert.deepEqual(s.problems, []);
    });

    test('small screen and dark theme: lists and a list page hold', async () => {
      const small = await openBrowser({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
      try {
        await logIn(small.page, server.base, server.admin);
        await small.page.goto(`${server.base}/admin/lists`);
        await small.page.getByRole('link', { name: 'Monthly news' }).waitFor();
        assert.ok((await pageOverflow(small)) <= 0, 'no page-wide horizontal scroll');
        await assertAccessible(small.page, 'lists, 390 dark');
        await screenshot(small.page, 'lists-index-390-dark');
        await small.page.goto(`${server.base}/admin/lists/${listId}`);
        await small.page.getByRole('link', { name: 'ada@example.com' }).waitFor();
        assert.ok((await pageOverflow(small)) <= 0, 'no page-wide horizontal scroll');
        await assertAccessible(small.page, 'list page, 390 dark');
        await screenshot(small.page, 'lists-page-390-dark');
        await small.page.goto(`${server.base}/admin/entities/orders`);
        await small.page.getByRole('table', { name: 'Records' }).waitFor();
        assert.ok((await pageOverflow(small)) <= 0, 'no page-wide horizontal scroll');
        await assertAccessible(small.page, 'entity records, 390 dark');
        await screenshot(small.page, 'entities-records-390-dark');
        assert.deepEqual(small.problems, []);
      } finally {
        await small.close();
      }
    });

    test('a viewer sees lists, fields and entities but no create, rename or remove action', async () => {
      const viewer = await openBrowser();
      try {
        const { page } = viewer;
        await logIn(page, server.base, await server.user('viewer'));
        await page.goto(`${server.base}/admin/lists`);
        await page.getByRole('link', { name: 'Monthly news' }).waitFor();
        assert.equal(await page.getByRole('button', { name: 'New list' }).count(), 0);
        await page.getByRole('link', { name: 'Monthly news' }).click();
        await page.getByRole('link', { name: 'ada@example.com' }).waitFor();
        assert.equal(await page.getByRole('button', { name: 'Rename' }).count(), 0);
        assert.equal(await page.getByRole('checkbox').count(), 0);
        assert.equal(await page.getByRole('button', { name: /Remove/ }).count(), 0);
        await assertAccessible(page, 'list page, viewer');
        await page.goto(`${server.base}/admin/fields`);
        await page.getByRole('cell', { name: 'Loyalty tier' }).waitFor();
        assert.equal(await page.getByRole('button', { name: 'New field' }).count(), 0);
        await page.goto(`${server.base}/admin/entities`);
        await page.getByRole('link', { name: 'Orders' }).waitFor();
        assert.equal(await page.getByRole('link', { name: 'New entity' }).count(), 0);
        assert.deepEqual(viewer.problems, []);
      } finally {
        await viewer.close();
      }
    });
  });
