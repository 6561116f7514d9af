// Email in the console (issue 14 point 9): a marketer designs a message with blocks, by keyboard as
// well as by mouse — adding, editing, moving and deleting blocks, inserting variables at the caret —
// sees it rendered (sandboxed, escaped), saves it (a template error is shown with its line and
// column), previews it as a contact with the gate's answer, sends a test (found in the outbox through
// the API), starts a campaign to a segment after the audience check and watches it finish with the
// counts the API reports; a contact's page lists its sends. Data is made through the API.
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

/** The blocks' names in order, as the editor labels them (its fieldsets' legends). */
const blockNames = (page: Page) =>
  page.locator('[data-block-name]').evaluateAll((els) => els.map((e) => e.getAttribute('data-block-name')));
interface World {
  list: string;
  segment: string;
  contacts: Record<string, string>;
}

/** Four readers of a list at levels 5, 4, 4 and 2 (marketing needs 4), and a segment of the list. */
async function makeWorld(server: ConsoleServer): Promise<World> {
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await server.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body?.data;
  };
  await ok('POST', '/api/v1/contact-fields', { name: 'tier', label: 'Loyalty tier', type: 'text', personal: false });
  const list = (await ok('POST', '/api/v1/lists', { name: 'Spring list' })).id;
  const people: [string, number][] = [
    ['ada@example.com', 5],
    ['bea@example.com', 4],
    ['cy@example.com', 4],
    ['dee@example.com', 2],
  ];
  const contacts: Record<string, string> = {};
  for (const [email, level] of people) {
    const c = await ok('POST', '/api/v1/contacts', { email, firstName: email.split('@')[0], customFields: { tier: 'gold' } });
    contacts[email] = c.id;
    await ok('PUT', `/api/v1/contacts/${c.id}/consent`, { level, source: 'admin', notice: 'Asked at the shop counter' });
    await ok('PUT', `/api/v1/contacts/${c.id}/lists/${list}`, { source: 'admin' });
  }
  const segment = (await ok('POST', '/api/v1/segments', { name: 'Spring readers', kind: 'dynamic', filter: { list } })).id;
  return { list, segment, contacts };
}

const preview = (page: Page) => page.locator('iframe[title="Design preview of the message"]');

for (const d of BROWSER_DIALECTS)
  describe(`console: email message design [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    let world: World;
    before(async () => {
      server = await startConsoleServer(d.name);
      world = await makeWorld(server);
      s = await openBrowser();
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    // The design flows (the console's own work) run on SQLite; the campaign, the engine's work on
    // each database, on both: the whole file on both took about a minute per database.
    if (d.name === 'sqlite')
      test('a marketer builds a message from blocks, inserts variables at the caret, and sees it rendered safely', async () => {
        const who = await server.user('marketer');
        await logIn(s.page, server.base, who);
        const nav = s.page.getByRole('navigation', { name: 'Main' });
        await nav.getByText('Email', { exact: true }).waitFor();
        await nav.getByRole('link', { name: 'Messages', exact: true }).waitFor();
        await nav.getByRole('link', { name: 'Campaigns', exact: true }).waitFor();
        const page = s.page;
        // No message yet: the empty list leads to the first one.
        await nav.getByRole('link', { name: 'Messages', exact: true }).click();
        await page.getByRole('heading', { name: 'No messages yet' }).waitFor();
        await assertAccessible(page, 'messages, empty');
        await screenshot(page, 'email-messages-empty');
        await page.getByRole('link', { name: 'New message' }).last().click();
        await page.getByRole('heading', { name: 'New message', level: 1 }).waitFor();
        // A new message starts with the unsubscribe link a marketing message needs.
        assert.deepEqual(await blockNames(page), ['Heading 1', 'Text 2', 'Divider 3', 'Text 4']);
        await assertAccessible(page, 'new message');
        await screenshot(page, 'email-message-new');

        await page.getByRole('textbox', { name: /^Name/ }).fill('Spring sale');
        // The picker inserts where the caret was, in whichever field the user was last in.
        const subject = page.getByRole('textbox', { name: /^Subject/ });
        await subject.fill('Hello !');
        await subject.press('End');
        await subject.press('ArrowLeft');
        await page.getByRole('button', { name: 'Insert a variable' }).click();
        await page.getByRole('menuitem', { name: 'First name' }).click();
        await page.getByRole('menu').waitFor({ state: 'detached' });
        assert.equal(await subject.inputValue(), 'Hello {{ contact.firstName }}!');
        const heading = page.getByLabel('Text of heading 1');
        await heading.fill('Spring is here for ');
        await heading.press('End');
        await page.getByRole('button', { name: 'Insert a variable' }).click();
        await page.getByRole('menuitem', { name: 'Loyalty tier' }).click();
        await page.getByRole('menu').waitFor({ state: 'detached' });
        assert.equal(await heading.inputValue(), 'Spring is here for {{ contact.tier }}');

        await page
          .getByLabel('Text of text 2')
          .fill('Hello **friend**, <script>alert(1)</script> {% include "/etc/passwd" %} [our shop](https://shop.example.com/)');

        // Add a button; a link that is not http(s)/mailto is refused in words.
        await page.getByLabel('Add a block').selectOption({ label: 'Button' });
        await page.getByRole('button', { name: 'Add button' }).click();
        await page.getByLabel('Words on button 5').fill('Shop now');
        const link = page.getByRole('textbox', { name: 'Link', exact: true });
        await link.fill('javascript:alert(1)');
        await page.getByText('A link starts with https://, http:// or mailto:').waitFor();
        await link.fill('https://shop.example.com/spring');
        // Moved and deleted by keyboard: no dragging needed.
        await page.getByRole('button', { name: 'Move Button 5 up' }).focus();
        await page.keyboard.press('Enter');
        assert.deepEqual(await blockNames(page), ['Heading 1', 'Text 2', 'Divider 3', 'Button 4', 'Text 5']);
        await page.getByRole('button', { name: 'Delete Divider 3' }).focus();
        await page.keyboard.press('Enter');
        await page.getByRole('button', { name: 'Move Button 3 up' }).click();
        assert.deepEqual(await blockNames(page), ['Heading 1', 'Button 2', 'Text 3', 'Text 4']);
        // Columns hold blocks of their own.
        await page.getByLabel('Add a block').selectOption({ label: 'Columns' });
        await page.getByRole('button', { name: 'Add columns' }).click();
        await page.getByLabel('Number of columns in columns 5').selectOption({ label: 'Three' });
        await page.getByLabel('Add to column 3').selectOption({ label: 'Heading' });
        await page.getByRole('button', { name: 'Add heading' }).last().click();
        await page.getByLabel('Text of heading 5.3.1').fill('Third column');
        assert.deepEqual(await blockNames(page), [
          'Heading 1',
          'Button 2',
          'Text 3',
          'Text 4',
          'Columns 5',
          'Text 5.1.1',
          'Text 5.2.1',
          'Heading 5.3.1',
        ]);

        // The design preview: sandboxed, the typed markup as text, variables as written, blocks in order.
        const frame = preview(page);
        assert.equal(await frame.getAttribute('sandbox'), '');
        const html = (await frame.getAttribute('srcdoc')) ?? '';
        assert.ok(html.includes('Spring is here for {{ contact.tier }}'));
        assert.ok(html.includes('href="https://shop.example.com/spring"'));
        assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
        assert.ok(!html.includes('<script') && !html.includes('{%') && !html.includes('javascript:'));
        const inside = page.frameLocator('iframe[title="Design preview of the message"]');
        await inside.getByRole('heading', { name: 'Spring is here for {{ contact.tier }}' }).waitFor();
        await inside.getByRole('link', { name: 'Shop now' }).waitFor();
        await inside.getByRole('link', { name: 'our shop' }).waitFor();
        await inside.getByRole('link', { name: 'unsubscribe' }).waitFor();
        assert.match(
          ((await inside.locator('body').textContent()) ?? '').replace(/\s+/g, ' '),
          /Spring is here.*Shop now.*Hello friend, <script>alert\(1\)<\/script>.*unsubscribe.*Third column/,
        );
        await page.getByRole('radiogroup', { name: 'Preview width' }).getByText('Phone', { exact: true }).click();
        assert.equal(await frame.evaluate((el: HTMLElement) => el.style.width), '360px', 'the phone-width preview');
        await assertAccessible(page, 'message with blocks');
        await screenshot(page, 'email-message-blocks');

        // Saving: a misspelt variable is refused with where it is; corrected, the message is saved.
        await subject.fill('Hello {{ contact.frist_name }}!');
        await page.getByRole('button', { name: 'Save message' }).click();
        const problem = page.getByRole('alert').filter({ hasText: 'Not saved: the template has an error' });
        await problem.getByText(/In the subject, line 1, column \d+: unknown variable contact\.frist_name/).waitFor();
        await assertAccessible(page, 'message with a template error');
        // The refusal the flow asked for is the one failed response it made.
        const refused = s.problems.filter((p) => /status of 422/.test(p));
        assert.equal(refused.length, 1, JSON.stringify(s.problems));
        s.problems.splice(s.problems.indexOf(refused[0]!), 1);
        await subject.fill('Hello {{ contact.firstName }}!');
        await page.getByRole('button', { name: 'Save message' }).click();
        await page.getByRole('heading', { name: 'Spring sale', level: 1 }).waitFor();
        await page.waitForURL(/\/admin\/messages\/[0-9a-f-]{36}$/);
        const messageId = page.url().split('/').pop()!;
        const stored = (await server.api('GET', `/api/v1/messages/${messageId}`)).body.data;
        assert.equal(stored.name, 'Spring sale');
        assert.equal(stored.purpose, 'marketing');
        assert.equal(stored.subject, 'Hello {{ contact.firstName }}!');
        assert.deepEqual(
          stored.blocks.blocks.map((b: { type: string }) => b.type),
          ['heading', 'button', 'text', 'text', 'columns'],
        );
        assert.ok(stored.html.includes('Spring is here for {{ contact.tier }}') && stored.html.includes('Shop now'));
        // Reloaded from what was saved, the blocks and their design preview are back.
        await page.reload();
        await page.getByRole('heading', { name: 'Spring sale', level: 1 }).waitFor();
        assert.deepEqual(await blockNames(page), [
          'Heading 1',
          'Button 2',
          'Text 3',
          'Text 4',
          'Columns 5',
          'Text 5.1.1',
          'Text 5.2.1',
          'Heading 5.3.1',
        ]);
        await inside.getByRole('heading', { name: 'Spring is here for {{ contact.tier }}' }).waitFor();

        // Preview as a contact found by a search that stays out of the URL: the gate's answer in words.
        await page.getByRole('textbox', { name: /^Preview as a contact/ }).fill('ada');
        await page.getByRole('group', { name: 'Matching contacts' }).getByRole('button', { name: /^ada/ }).click();
        await page
          .getByRole('status')
          .filter({ hasText: 'ada would get this message' })
          .getByText(/Opens and clicks would be recorded/)
          .waitFor();
        const asAda = page.frameLocator('iframe[title="The message as ada would get it"]');
        await asAda.getByRole('heading', { name: 'Spring is here for gold' }).waitFor();
        assert.equal(await page.locator('iframe[title="The message as ada would get it"]').getAttribute('sandbox'), '');
        await page.getByText('Hello ada!', { exact: true }).waitFor();
        assert.ok(!page.url().includes('ada'), 'the search is not in the URL');
        await assertAccessible(page, 'message preview as a contact');
        await screenshot(page, 'email-message-preview');
        await page.getByRole('textbox', { name: /^Preview as a contact/ }).fill('dee');
        await page.getByRole('group', { name: 'Matching contacts' }).getByRole('button', { name: /^dee/ }).click();
        await page
          .getByRole('status')
          .filter({ hasText: 'dee would not get this message' })
          .getByText(/consent too low for this purpose/)
          .waitFor();

        // A test to a staff address, filled in as the chosen contact: it is in the outbox.
        await page.getByRole('textbox', { name: /^Send a test to/ }).fill('me@example.com');
        await page.getByRole('button', { name: 'Send a test' }).click();
        await page.getByText('Test sent to me@example.com').waitFor();
        let outbox: { to: string; subject: string }[] = [];
        for (let i = 0; i < 50 && !outbox.some((m) => m.to === 'me@example.com'); i++) {
          outbox = (await server.api('GET', '/api/v1/outbox')).body.data;
          if (!outbox.some((m) => m.to === 'me@example.com')) await new Promise((r) => setTimeout(r, 100));
        }
        assert.deepEqual(
          outbox.filter((m) => m.to === 'me@example.com').map((m) => m.subject),
          ['[Test] Hello dee!'],
        );

        // The HTML made from the blocks, read-only until the user chooses to edit it by hand.
        const source = page.getByRole('textbox', { name: 'HTML and Liquid' });
        // By keyboard: a mouse click on the tab, far down this long page, did not select it in headless
        // Chromium (it did once a screenshot had resized the viewport); not understood, noted in the report.
        await page.getByRole('tab', { name: 'HTML and Liquid' }).focus();
        await page.keyboard.press('Enter');
        await page.getByRole('tab', { name: 'HTML and Liquid', selected: true }).waitFor();
        await source.waitFor();
        assert.equal(await source.getAttribute('readonly'), '');
        assert.ok((await source.inputValue()).includes('Spring is here for {{ contact.tier }}'));
        await page.getByRole('button', { name: 'Edit the HTML by hand' }).click();
        assert.equal(await source.getAttribute('readonly'), null);
        await source.press('Control+Home');
        await page.getByText('caret at line 1, column 1').waitFor();
        await assertAccessible(page, 'message HTML');
        await screenshot(page, 'email-message-html');
        await page.getByRole('tab', { name: 'Blocks' }).focus();
        await page.keyboard.press('Enter');
        await page.getByText('This message’s HTML is written by hand').waitFor();
        // The list names it with its purpose and the level that purpose needs.
        await nav.getByRole('link', { name: 'Messages', exact: true }).click();
        const listed = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Spring sale' }) });
        await listed
          .filter({ hasText: 'Marketing' })
          .filter({ hasText: 'needs Marketing' })
          .filter({ hasText: 'Hello {{ contact.firstName }}!' })
          .waitFor();
        await assertAccessible(page, 'messages list');
        await screenshot(page, 'email-messages');
        assert.deepEqual(s.problems, [], 'no dialog, console error or page error');
      });

    test('a campaign to a segment, started after the audience check, ends with the API’s counts; a contact lists its sends', async () => {
      const ok = async (method: string, path: string, body?: unknown) => {
        const r = await server.api(method, path, body);
        assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body?.data;
      };
      const segment = world.segment;
      const ids = world.contacts;
      const message = (
        await ok('POST', '/api/v1/messages', {
          name: 'Spring offer',
          purpose: 'marketing',
          subject: 'Spring is here',
          html: '<p>Spring offer. <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
        })
      ).id;
      const audience = await ok('POST', `/api/v1/messages/${message}/audience`, { segmentId: segment });
      assert.deepEqual(audience, { recipients: 4, allowed: 3, refused: { below_required_level: 1 } });

      // A browser of its own: this flow needs nothing of the one before.
      const own = await openBrowser();
      let campaign = '';
      try {
        await logIn(own.page, server.base, await server.user('marketer'));
        const page = own.page;
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns', exact: true }).click();
        await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
        await page.getByRole('link', { name: 'New campaign' }).first().click();
        await page.getByRole('heading', { name: 'New campaign', level: 1 }).waitFor();
        await page.getByLabel('Message').selectOption({ label: 'Spring offer' });
        await page.getByLabel('Segment').selectOption({ label: 'Spring readers' });
        // The audience check before starting: the API's numbers, the refusals in words.
        const check = page.getByRole('region', { name: 'Who would get it' });
        await check.getByText('3 of the 4 contacts now in Spring readers would get this message.').waitFor();
        await check.getByRole('listitem').filter({ hasText: '1: consent too low for this purpose' }).waitFor();
        await assertAccessible(page, 'new campaign with its audience');
        await screenshot(page, 'email-campaign-new');
        await page.getByRole('button', { name: 'Start the campaign' }).click();
        const dialog = page.getByRole('dialog', { name: 'Start sending?' });
        await dialog.getByText('“Spring offer” goes to about 3 contacts in Spring readers').waitFor();
        await assertAccessible(page, 'start confirmation');
        await dialog.getByRole('button', { name: 'Start sending' }).click();
        await page.getByRole('heading', { name: 'Spring offer', level: 1 }).waitFor();
        await page.waitForURL(/\/admin\/campaigns\/[0-9a-f-]{36}$/);
        campaign = page.url().split('/').pop()!;
        // Done (four recipients go out within moments: that the page asks again while it sends is not
        // what this waits for; a larger, slower campaign would be needed to see it move).
        await page.getByRole('status').filter({ hasText: 'Finished' }).waitFor({ timeout: 60_000 });
        const api = await ok('GET', `/api/v1/campaigns/${campaign}`);
        assert.equal(api.status, 'done');
        assert.deepEqual(api.counts.refused, { below_required_level: 1 });
        assert.equal(api.counts.sent, 3);
        for (const [label, n] of [
          ['Sent', api.counts.sent],
          ['Not sent', 1],
          ['Failed', api.counts.failed],
          ['Opened', api.counts.opened],
          ['Clicked', api.counts.clicked],
        ] as const)
          assert.equal(await page.locator(`[data-stat="${label}"]`).textContent(), String(n), label);
        await page.getByText('4 of 4 recipients dealt with (100%)').waitFor();
        await page
          .getByRole('row')
          .filter({ hasText: 'consent too low for this purpose' })
          .getByRole('cell', { name: '1', exact: true })
          .waitFor();
        // Nothing to pause or cancel once it is done.
        assert.equal(await page.getByRole('button', { name: /Pause|Cancel the campaign/ }).count(), 0);
        await assertAccessible(page, 'campaign page');
        await screenshot(page, 'email-campaign-page');

        // The refused person's page says which message did not go, and why, in words.
        await page.goto(`${server.base}/admin/contacts/${ids['dee@example.com']}`);
        const sends = page.getByRole('region', { name: 'Sends to this contact' });
        await sends
          .getByRole('row')
          .filter({ hasText: 'Spring offer' })
          .filter({ hasText: 'Not sent' })
          .filter({ hasText: 'consent too low' })
          .waitFor();
        await page.goto(`${server.base}/admin/contacts/${ids['ada@example.com']}`);
        await page
          .getByRole('region', { name: 'Sends to this contact' })
          .getByRole('row')
          .filter({ hasText: 'Spring offer' })
          .filter({ hasText: 'Sent' })
          .waitFor();
        await assertAccessible(page, 'contact with sends');
        await screenshot(page, 'email-contact-sends');
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns', exact: true }).click();
        const row = page.getByRole('row').filter({ hasText: 'Spring readers' });
        await row.getByRole('link', { name: 'Spring offer' }).waitFor();
        await row.getByText('Finished').waitFor();
        await row.getByText('4 of 4 · 3 sent').waitFor();
        await assertAccessible(page, 'campaign list');
        await screenshot(page, 'email-campaign-list');
        assert.deepEqual(own.problems, [], 'no dialog, console error or page error');
      } finally {
        await own.close();
      }

      // The campaign page on a phone in the dark theme.
      const phone = await openBrowser({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
      try {
        await logIn(phone.page, server.base, server.admin);
        await phone.page.goto(`${server.base}/admin/campaigns/${campaign}`);
        await phone.page.getByRole('status').filter({ hasText: 'Finished' }).waitFor();
        assert.ok(Number(await phone.page.evaluate('document.documentElement.scrollWidth')) <= 390, 'no page-wide sideways scrolling');
        await assertAccessible(phone.page, 'campaign page on a phone, dark');
        await screenshot(phone.page, 'email-campaign-page-390-dark');
        assert.deepEqual(phone.problems, []);
      } finally {
        await phone.close();
      }
    });

    if (d.name === 'sqlite')
      test('on a phone and in the dark theme the editor holds its layout and passes axe', async () => {
        const phone = await openBrowser({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
        try {
          await logIn(phone.page, server.base, server.admin);
          await phone.page.goto(`${server.base}/admin/messages/new`);
          await phone.page.getByRole('heading', { name: 'New message', level: 1 }).waitFor();
          await preview(phone.page).waitFor();
          const overflow = Number(await phone.page.evaluate('document.documentElement.scrollWidth'));
          assert.ok(overflow <= 390, `no page-wide sideways scrolling (${overflow} px)`);
          await assertAccessible(phone.page, 'new message on a phone, dark');
          await screenshot(phone.page, 'email-message-new-390-dark');
          assert.deepEqual(phone.problems, []);
        } finally {
          await phone.close();
        }
      });
  });
