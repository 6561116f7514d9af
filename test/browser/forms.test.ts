// Forms in the console (issue 15 point 10): a marketer builds a form — the email field it starts
// with, a consent-level field offering levels by name with their notices, a lists field by list
// name — moves fields by keyboard, sees the live preview, meets a server validation error beside
// its field, saves, reopens it and finds the embed code; a viewer reads forms and changes nothing;
// markup typed into a name or label shows as text. Data is made through the API.
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

/** Takes out of the problems the refusals the flow asked for. */
function expectRefusals(s: Session, statuses: number[]): void {
  const refused = s.problems.filter((p) => statuses.some((n) => p.includes(`status of ${n}`)));
  assert.equal(refused.length, statuses.length, `the refusals asked for: ${s.problems.join('; ')}`);
  s.problems.splice(0, s.problems.length, ...s.problems.filter((p) => !refused.includes(p)));
}
const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Screenshots at 390 px and on a desktop, light and dark; axe and no sideways scrolling at each. */
async function lookAt(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  for (const width of [390, 1280])
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height: 844 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(150);
      await assertAccessible(page, `${name} at ${width}, ${scheme}`);
      assert.ok((await pageOverflow(page)) <= 0, `${name} at ${width}, ${scheme}: no sideways scrolling`);
      await screenshot(page, `${name}-${width}-${scheme}`);
    }
  await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: 'light' });
}

const field = (page: Page, n: number) => page.locator(`fieldset[data-field="${n}"]`);
const fieldTitles = (page: Page) =>
  page.locator('form[aria-label="Form builder"] fieldset[data-field]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));

for (const d of SQLITE_BROWSER)
  describe(`console: forms [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    let levelName: (l: number) => string;
    const lists: Record<string, string> = {};
    let formId = '';
    before(async () => {
      server = await startConsoleServer(d.name);
      for (const name of ['Monthly news', '<b>Offers</b> & more']) {
        const r = await server.api('POST', '/api/v1/lists', { name });
        assert.equal(r.status, 201);
        lists[name] = r.body.data.id;
      }
      const levels = (await server.api('GET', '/api/v1/settings/consent-levels')).body.data.consentLevels as {
        level: number;
        name: string;
      }[];
      levelName = (l) => levels.find((x) => x.level === l)!.name;
      s = await openBrowser();
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test(
      'a marketer builds a form with consent and lists fields, sees it previewed, meets a server error, saves and finds the embed ' +
        'code',
      async () => {
        const { page } = s;
        await logIn(page, server.base, await server.user('marketer'));
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forms', exact: true }).click();
        await page.getByRole('heading', { name: 'No forms yet' }).waitFor();
        await assertAccessible(page, 'forms, empty');
        await screenshot(page, 'forms-empty');
        await page.getByRole('link', { name: 'Create your first form' }).click();
        await page.getByRole('heading', { name: 'New form', level: 1 }).waitFor();

        // It starts with the email field, which says why it stays and has no remove button.
        assert.deepEqual(await fieldTitles(page), ['Field 1: Email address']);
        await field(page, 1)
          .getByText(/It cannot be removed/)
          .waitFor();
        assert.equal(
          await field(page, 1)
            .getByRole('button', { name: /Remove/ })
            .count(),
          0,
        );

        await page.getByRole('textbox', { name: /^Name/ }).fill('<i>Spring</i> sign-up');
        // A profile field: the input name follows the label until it is typed.
        await page.getByRole('button', { name: 'Add a field' }).click();
        await field(page, 2)
          .getByRole('textbox', { name: /^Label/ })
          .fill('<b>Your</b> first name');
        assert.equal(
          await field(page, 2)
            .getByRole('textbox', { name: /^Input name/ })
            .inputValue(),
          'b_your_b_first_name',
        );
        await field(page, 2)
          .getByRole('textbox', { name: /^Input name/ })
          .fill('first_name');
        await field(page, 2)
          .getByRole('textbox', { name: /^Label/ })
          .fill('<b>Your</b> first name, please');
        assert.equal(
          await field(page, 2)
            .getByRole('textbox', { name: /^Input name/ })
            .inputValue(),
          'first_name',
          'a typed name stays',
        );

        // A consent-level field: the levels by name, each with its notice.
        await page.getByRole('button', { name: 'Add a field' }).click();
        await field(page, 3)
          .getByLabel(/^Fills/)
          .selectOption({ label: 'Consent level' });
        await field(page, 3)
          .getByRole('textbox', { name: /^Label/ })
          .fill('What may we send you?');
        await field(page, 3)
          .getByRole('checkbox', { name: levelName(4) })
          .check();
        await field(page, 3)
          .getByRole('textbox', { name: `Notice for ${levelName(4)}` })
          .fill('News and offers by email, about once a month.');
        await field(page, 3)
          .getByRole('checkbox', { name: levelName(3) })
          .check();
        await field(page, 3)
          .getByRole('textbox', { name: `Notice for ${levelName(3)}` })
          .fill('Only what I ask for.');

        // A lists field: lists chosen by name.
        await page.getByRole('button', { name: 'Add a field' }).click();
        await field(page, 4)
          .getByLabel(/^Fills/)
          .selectOption({ label: 'Lists' });
        await field(page, 4)
          .getByRole('textbox', { name: /^Label/ })
          .fill('Join our lists');
        const picker = field(page, 4).getByLabel(/^Lists offered/);
        await picker.click();
        await page.getByRole('option', { name: 'Monthly news' }).click();
        await page.getByRole('option', { name: '<b>Offers</b> & more' }).click();
        await page.keyboard.press('Escape');

        // Moved by keyboard: the lists field goes above the consent field.
        await page.getByRole('button', { name: 'Move field 4 up' }).focus();
        await page.keyboard.press('Enter');
        assert.deepEqual(await fieldTitles(page), [
          'Field 1: Email address',
          'Field 2: <b>Your</b> first name, please',
          'Field 3: Join our lists',
          'Field 4: What may we send you?',
        ]);

        // The live preview: labels as typed (markup as text), levels by name with notices, lists by name.
        const preview = page.getByRole('form', { name: 'Preview of <i>Spring</i> sign-up' });
        await preview.getByRole('textbox', { name: '<b>Your</b> first name, please' }).waitFor();
        await preview.getByRole('textbox', { name: /Email address/ }).waitFor();
        await preview.getByRole('checkbox', { name: 'Monthly news' }).waitFor();
        await preview.getByRole('checkbox', { name: '<b>Offers</b> & more' }).waitFor();
        await preview.getByRole('radio', { name: levelName(4) }).waitFor();
        await preview.getByText('News and offers by email, about once a month.').waitFor();
        assert.equal(await preview.locator('b, i').count(), 0, 'no markup from the labels became elements');
        const text = (await preview.textContent()) ?? '';
        assert.ok(text.indexOf('Join our lists') < text.indexOf('What may we send you?'), text);

        // Allowed origins are checked as origins, line by line.
        const origins = page.getByRole('textbox', { name: /^Allowed origins/ });
        await origins.fill('https://shop.example\nshop.example/path');
        await page.getByText(/Line 2: “shop.example\/path” is not an origin/).waitFor();
        await origins.fill('https://shop.example\nhttps://news.example:8443/');

        // The server's refusal is shown beside the field it names: a pattern that is no regular expression.
        await field(page, 2)
          .getByRole('textbox', { name: /^Pattern/ })
          .fill('([a-z');
        await page.getByRole('button', { name: 'Save form' }).click();
        await field(page, 2).getByText('Not a valid regular expression').waitFor();
        assert.equal(
          await field(page, 2)
            .getByRole('textbox', { name: /^Pattern/ })
            .getAttribute('aria-invalid'),
          'true',
        );
        await assertAccessible(page, 'form builder with a server error');
        await lookAt(page, 'forms-builder-error');
        expectRefusals(s, [400]);
        await field(page, 2)
          .getByRole('textbox', { name: /^Pattern/ })
          .fill('[^0-9]+');

        await page.getByRole('button', { name: 'Save form' }).click();
        await page.getByRole('heading', { name: '<i>Spring</i> sign-up', level: 1 }).waitFor();
        await page.waitForURL(/\/admin\/forms\/[0-9a-f-]{36}$/);
        formId = page.url().split('/').pop()!;
        const stored = (await server.api('GET', `/api/v1/forms/${formId}`)).body.data;
        assert.equal(stored.doubleOptIn, true);
        assert.deepEqual(stored.allowedOrigins, ['https://shop.example', 'https://news.example:8443']);
        assert.deepEqual(
          stored.fields.map((f: { name: string; maps: string }) => [f.name, f.maps]),
          [
            ['email', 'email'],
            ['first_name', 'firstName'],
            ['join_our_lists', 'lists'],
            ['what_may_we_send_you', 'consentLevel'],
          ],
        );
        assert.equal(stored.fields[1].pattern, '[^0-9]+');
        assert.deepEqual(stored.fields[2].listIds, [lists['Monthly news'], lists['<b>Offers</b> & more']]);
        assert.deepEqual(stored.fields[3].levels, [
          { level: 3, notice: 'Only what I ask for.' },
          { level: 4, notice: 'News and offers by email, about once a month.' },
        ]);

        // Reopened: the fields as saved, the preview, and the embed code.
        await page.reload();
        await page.getByRole('heading', { name: '<i>Spring</i> sign-up', level: 1 }).waitFor();
        assert.equal((await fieldTitles(page)).length, 4);
        await preview.getByRole('radio', { name: levelName(3) }).waitFor();
        const embed = page.getByRole('region', { name: 'Put it on your website' });
        await embed.getByText(/must be in the form’s allowed origins/).waitFor();
        const html = (await page.getByRole('region', { name: 'HTML form code' }).textContent()) ?? '';
        assert.ok(html.includes(`/public/v1/forms/${formId}`), html);
        const frame = (await page.getByRole('region', { name: 'Iframe code' }).textContent()) ?? '';
        assert.match(frame, /<iframe /);
        await page.getByRole('button', { name: 'Copy the html form code' }).waitFor();
        await lookAt(page, 'forms-builder-saved');

        // The list: the name as text, its fields, double opt-in.
        await page.getByRole('link', { name: '← All forms' }).click();
        const table = page.getByRole('table');
        const row = table.getByRole('row', { name: /Spring/ });
        await row.getByRole('link', { name: '<i>Spring</i> sign-up' }).waitFor();
        assert.equal(await table.locator('i').count(), 0);
        assert.match((await row.textContent()) ?? '', /4\s*Yes/);
        assert.equal(await table.getByRole('columnheader', { name: 'Submissions' }).count(), 1);
        await lookAt(page, 'forms-list');
        assert.deepEqual(s.problems, []);
      },
    );

    test('a form with submissions warns that saving changed fields makes a new version', async () => {
      const made = await server.api('POST', '/api/v1/forms', {
        name: 'Counter form',
        doubleOptIn: false,
        fields: [{ name: 'email', label: 'Email address', maps: 'email', type: 'email', required: true }],
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const id = made.body.data.id as string;
      const posted = await fetch(`${server.base}/public/v1/forms/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'someone@example.com' }),
      });
      assert.ok(posted.status < 300, `the submission is taken: ${posted.status}`);
      let submissions = 0;
      for (let i = 0; i < 100 && submissions === 0; i++) {
        submissions = (await server.api('GET', `/api/v1/forms/${id}/counts`)).body.data.total.submissions;
        if (submissions === 0) await new Promise((r) => setTimeout(r, 150));
      }
      assert.ok(submissions > 0, 'the counters count the submission');
      const { page } = s;
      await page.goto(`${server.base}/admin/forms/${id}`);
      await page.getByRole('heading', { name: 'Counter form', level: 1 }).waitFor();
      assert.equal(await page.getByText('Saving makes a new version').count(), 0, 'nothing changed, nothing to warn of');
      await field(page, 1)
        .getByRole('textbox', { name: /^Label/ })
        .fill('Your email address');
      await page
        .getByRole('status')
        .filter({ hasText: 'Saving makes a new version' })
        .getByText(/makes version 2/)
        .waitFor();
      await page.getByRole('button', { name: 'Save as version 2' }).click();
      await page.getByRole('heading', { name: 'Counter form', level: 1 }).waitFor();
      await page.getByText(/^Version 2 ·/).waitFor();
      assert.equal((await server.api('GET', `/api/v1/forms/${id}`)).body.data.version, 2);
      assert.deepEqual(s.problems, []);
    });

    test('a viewer reads the forms and the builder, and can change nothing', async () => {
      assert.ok(formId, 'the first test made a form');
      const v = await openBrowser();
      try {
        await logIn(v.page, server.base, await server.user('viewer'));
        await v.page.goto(`${server.base}/admin/forms`);
        await v.page.getByRole('link', { name: '<i>Spring</i> sign-up' }).click();
        await v.page.getByRole('heading', { name: '<i>Spring</i> sign-up', level: 1 }).waitFor();
        await v.page.getByText('Your role reads forms; a marketer or an administrator changes them.').waitFor();
        for (const name of ['Save changes', 'Add a field', 'Move field 2 up', 'Remove field 2'])
          assert.equal(await v.page.getByRole('button', { name }).count(), 0, `no ${name} button`);
        assert.equal(
          await field(v.page, 2)
            .getByRole('textbox', { name: /^Label/ })
            .getAttribute('readonly'),
          '',
        );
        assert.ok(
          await field(v.page, 4)
            .getByRole('checkbox', { name: levelName(4) })
            .isDisabled(),
        );
        await assertAccessible(v.page, 'form builder, read only');
        await screenshot(v.page, 'forms-builder-viewer');
        await v.page.goto(`${server.base}/admin/forms`);
        await v.page.getByRole('heading', { name: 'Forms', level: 1 }).waitFor();
        assert.equal(await v.page.getByRole('link', { name: 'New form' }).count(), 0);
        assert.deepEqual(v.problems, []);
      } finally {
        await v.close();
      }
    });

    test('a marketer deletes a form after saying so; it leaves the list', async () => {
      const made = await server.api('POST', '/api/v1/forms', {
        name: 'Old form',
        fields: [{ name: 'email', label: 'Email address', maps: 'email', type: 'email', required: true }],
      });
      assert.equal(made.status, 201);
      const { page } = s;
      await page.goto(`${server.base}/admin/forms/${made.body.data.id}`);
      await page.getByRole('heading', { name: 'Old form', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Delete form' }).click();
      const ask = page.getByRole('dialog', { name: 'Delete “Old form”?' });
      await ask.getByText(/A form with submissions is archived/).waitFor();
      await assertAccessible(page, 'delete a form');
      await ask.getByRole('button', { name: 'Keep it' }).click();
      await ask.waitFor({ state: 'hidden' });
      assert.equal((await server.api('GET', `/api/v1/forms/${made.body.data.id}`)).status, 200, 'kept');
      await page.getByRole('button', { name: 'Delete form' }).click();
      await ask.getByRole('button', { name: 'Delete form' }).click();
      await page.getByRole('heading', { name: 'Forms', level: 1 }).waitFor();
      await page.getByRole('link', { name: '<i>Spring</i> sign-up' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Old form' }).count(), 0);
      assert.equal((await server.api('GET', `/api/v1/forms/${made.body.data.id}`)).status, 404);
      assert.deepEqual(s.problems, []);
    });
  });
