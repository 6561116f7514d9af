// The public side in Chromium (issue 15, acceptance): a double opt-in raises
// consent only when the person presses the confirmation page's button, and the subscription
// center, used with the keyboard alone, lowers the level and leaves a list. Each checked through
// the API: the contact, the consent ledger, the list memberships. And a form embedded on another
// site: the browser's own CORS rules decide whether that site's script reads the answer.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { assertAccessible, BROWSER_DIALECTS, browserSkip, openBrowser, type Session, screenshot } from './harness.ts';
import { linkOf, NOTICE_4, type PublicWorld, startPublicWorld } from './public-world.ts';

/**
 * Presses Tab until `selector` has the focus (at most 40 times), checking that every stop shows
 * its focus (an outline), as a keyboard user needs to see where they are.
 */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate((sel) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { match: false, outline: 'none' };
      return { match: el.matches(sel), outline: getComputedStyle(el).outlineStyle };
    }, selector);
    if (at.outline !== 'none' || at.match) assert.notEqual(at.outline, 'none', 'the focus is visible');
    if (at.match) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

for (const d of BROWSER_DIALECTS)
  describe(`public consent flows in Chromium [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let w: PublicWorld;
    let s: Session;
    before(async () => {
      w = await startPublicWorld(d.name);
      s = await openBrowser();
    });
    after(async () => {
      await s?.close();
      await w?.stop();
    });
    const contact = async (id: string) => (await w.server.api('GET', `/api/v1/contacts/${id}`)).body.data;
    const history = async (id: string) => (await w.server.api('GET', `/api/v1/contacts/${id}/consent/history`)).body.data as any[];
    const lists = async (id: string) =>
      ((await w.server.api('GET', `/api/v1/contacts/${id}/lists`)).body.data as any[]).map((m) => m.listId);

    test(
      'double opt-in: the link’s page only asks; its button raises ' + 'the level, the ledger naming submission and confirmation',
      async () => {
        const email = w.address('doi');
        const made = await w.server.api('POST', '/api/v1/contacts', { email });
        assert.equal(made.status, 201);
        const id = made.body.data.id as string;
        assert.equal((await w.server.api('PUT', `/api/v1/contacts/${id}/consent`, { level: 1, source: 'admin' })).status, 200);
        // Submitted from the organisation's site (JSON), as its script would.
        const posted = await w.publicPost(`/public/v1/forms/${w.doiFormId}`, { email, consent: '4', topics: w.listId });
        assert.equal(posted.status, 200);
        const link = await w.link(email, linkOf(w, '/public/v1/forms/confirm/'));

        await s.page.goto(link);
        const button = s.page.getByRole('button', { name: 'Confirm' });
        await button.waitFor();
        await assertAccessible(s.page, 'double opt-in page');
        await screenshot(s.page, 'public-flow-doi-ask');
        // Opening the link (a mail scanner does) changes nothing.
        assert.equal((await contact(id)).consentLevel, 1);
        assert.deepEqual(await lists(id), []);
        assert.equal((await history(id)).length, 1);

        await button.click();
        await s.page.getByRole('heading', { name: 'Confirmed' }).waitFor();
        await screenshot(s.page, 'public-flow-doi-confirmed');
        assert.equal((await contact(id)).consentLevel, 4);
        assert.deepEqual(await lists(id), [w.listId]);
        const level = (await history(id)).find((e) => e.kind === 'level' && e.newValue === 4);
        assert.ok(level, 'the raise is in the ledger');
        assert.equal(level.source, 'form');
        assert.equal(level.actorType, 'form_confirmation');
        assert.match(level.actorId, /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/, 'the submission and the confirmation');
        assert.equal(level.notice?.text, NOTICE_4, 'with the notice the form showed');
        const join = (await history(id)).find((e) => e.kind === 'list_join');
        assert.equal(join?.actorId, level.actorId);
        // The link is used: pressing again (or a second tab) changes nothing and says so.
        await s.page.goto(link);
        await s.page.getByRole('heading', { name: 'This link does not work' }).waitFor();
        assert.deepEqual(
          s.problems.filter((p) => !/status of 400/.test(p)),
          [],
        );
      },
    );

    test('the subscription center with the keyboard alone: a lower level and a list left, in the ledger', async () => {
      const email = w.address('center');
      const id = await w.contact(email, 4);
      const sent = await w.server.api('POST', `/api/v1/messages/${w.messageId}/send`, { contactId: id });
      assert.ok(sent.status < 300, JSON.stringify(sent.body));
      await s.page.goto(await w.link(email, linkOf(w, '/public/v1/subscription/')));
      await s.page.getByRole('heading', { name: 'Your subscriptions' }).waitFor();
      s.problems.length = 0;

      // Into the level choices: Tab lands on the chosen one; an arrow key moves the choice (a radio group's keys).
      await tabTo(s.page, 'input[name=level]:checked');
      assert.equal(await s.page.evaluate('document.activeElement.value'), '4');
      await s.page.keyboard.press('ArrowUp');
      assert.equal(await s.page.evaluate('document.activeElement.value'), '3');
      await s.page.keyboard.press('Space');
      // On to the list, unticked with Space; on to the button, pressed with Enter.
      await tabTo(s.page, 'input[name=list]');
      assert.equal(await s.page.evaluate('document.activeElement.checked'), true);
      await s.page.keyboard.press('Space');
      assert.equal(await s.page.evaluate('document.activeElement.checked'), false);
      await tabTo(s.page, 'button[type=submit]');
      await screenshot(s.page, 'public-flow-center-chosen');
      await s.page.keyboard.press('Enter');
      await s.page.getByRole('heading', { name: 'Your choices are saved' }).waitFor();
      await assertAccessible(s.page, 'subscription center saved');

      assert.equal((await contact(id)).consentLevel, 3, 'lowered');
      assert.deepEqual(await lists(id), [], 'the list left');
      const entries = (await history(id)).filter((e) => e.source === 'subscription_center');
      assert.deepEqual(
        entries.map((e) => [e.kind, e.oldValue, e.newValue, e.listId]),
        [
          ['level', 4, 3, null],
          ['list_leave', 1, 0, w.listId],
        ],
      );
      assert.ok(entries.every((e) => e.actorType === 'contact' && e.actorId === id && e.notice?.text));
      assert.deepEqual(s.problems, []);
    });

    test(
      'a form embedded on the organisation’s site: its fetch() reads ' + 'the answer; once the site is no longer allowed, it cannot',
      async () => {
        // The organisation's site: another origin (another port) serving a page with a script.
        const site = createServer((_req, res) =>
          res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Shop</title>'),
        );
        await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
        const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
        const allow = (origins: string[]) => w.server.api('PATCH', `/api/v1/forms/${w.formId}`, { allowedOrigins: origins });
        try {
          assert.equal((await allow([origin])).status, 200);
          await s.page.goto(`${origin}/`);
          const email = w.address('embedded');
          // A JSON post: the browser asks first (a preflight), then posts, then lets the page read the answer.
          const send = (address: string) =>
            s.page.evaluate(
              async ([url, address]) => {
                try {
                  const r = await fetch(url!, {
                    method: 'POST',
                    headers: { 'content-type': 'application/json' },
                    body: JSON.stringify({ email: address }),
                  });
                  return { status: r.status, body: await r.json() };
                } catch (e) {
                  return { blocked: String(e) };
                }
              },
              [`${w.base}/public/v1/forms/${w.formId}`, address] as const,
            );
          const read = await send(email);
          assert.deepEqual(read, {
            status: 200,
            body: {
              data: { status: 'received', message: 'Thank you. If a confirmation is needed, we have sent you an email with a link.' },
            },
          });
          assert.equal((await allow([])).status, 200);
          const refused = await send(w.address('embedded'));
          assert.ok('blocked' in refused, JSON.stringify(refused));
        } finally {
          await allow([]).catch(() => undefined);
          await new Promise((r) => site.close(r));
        }
        s.problems.length = 0;
      },
    );
  });
