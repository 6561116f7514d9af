// One contact whose fields hold markup, seen on every screen that shows a contact's values: each
// shows it as text (no element made from it, no dialog, no script error), and no URL the console
// navigates to or calls carries the person's address or name (ids only).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  assertAccessible,
  browserSkip,
  type ConsoleServer,
  logIn,
  openBrowser,
  type Session,
  screenshot,
  startConsoleServer,
} from './harness.ts';

const FIRST = '<img src=x onerror=alert(1)>';
const LAST = '"><script>alert(2)</script>';
const NOTE = '<svg onload=alert(3)>&amp;';
const EMAIL = 'mallory.hostile@example.com';

describe('console: a contact holding markup is text on every screen that shows it [sqlite]', { skip: browserSkip }, () => {
  let server: ConsoleServer;
  let s: Session;
  const urls: string[] = [];
  const ids: Record<string, string> = {};
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await server.api(method, path, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body?.data;
  };

  before(async () => {
    server = await startConsoleServer('sqlite');
    await ok('POST', '/api/v1/contact-fields', { name: 'note', label: 'Note', type: 'text', personal: true });
    ids.contact = (
      await ok('POST', '/api/v1/contacts', { email: EMAIL, firstName: FIRST, lastName: LAST, customFields: { note: NOTE } })
    ).id;
    ids.list = (await ok('POST', '/api/v1/lists', { name: `List ${FIRST}` })).id;
    await ok('POST', `/api/v1/lists/${ids.list}/members`, { contactIds: [ids.contact] });
    ids.segment = (await ok('POST', '/api/v1/segments', { name: `Segment ${LAST}`, kind: 'dynamic', filter: { list: ids.list } })).id;
    ids.request = (await ok('POST', '/api/v1/requests', { type: 'rectification', email: EMAIL, verified: true, note: 'by post' })).id;
    s = await openBrowser();
    s.page.on('request', (r) => urls.push(r.url()));
    await logIn(s.page, server.base, server.admin);
  });
  after(async () => {
    await s?.close();
    await server?.stop();
  });

  /** No element was made from the values, and each shows as the text it is. */
  async function asText(page: Page, what: string, texts: string[]) {
    for (const t of texts) await page.getByText(t, { exact: false }).filter({ visible: true }).first().waitFor({ timeout: 15_000 });
    const made = await page.evaluate(
      `[document.querySelectorAll('img[src="x"]').length, document.querySelectorAll('svg[onload]').length,
        [...document.scripts].filter((x) => x.textContent.includes('alert(')).length]`,
    );
    assert.deepEqual(made, [0, 0, 0], `${what}: no element made from the values`);
    await assertAccessible(page, what);
    await screenshot(page, `hostile-${what}`);
  }

  test('contacts list, contact page and its form', async () => {
    await s.page.getByRole('link', { name: 'Contacts', exact: true }).click();
    await asText(s.page, 'contacts-list', [FIRST, LAST]);
    await s.page.goto(`${server.base}/admin/contacts/${ids.contact}`);
    await asText(s.page, 'contact-page', [FIRST, LAST, NOTE, `List ${FIRST}`, `Segment ${LAST}`]);
    await s.page.goto(`${server.base}/admin/contacts/${ids.contact}/edit`);
    await s.page.getByLabel('First name').waitFor();
    assert.equal(await s.page.getByLabel('First name').inputValue(), FIRST, 'the form holds the value as typed');
    await asText(s.page, 'contact-form', []);
  });

  test('the list’s members, the segment’s members, and a rectification case', async () => {
    await s.page.goto(`${server.base}/admin/lists/${ids.list}`);
    await asText(s.page, 'list-page', [`List ${FIRST}`, FIRST]);
    await s.page.goto(`${server.base}/admin/segments/${ids.segment}`);
    await asText(s.page, 'segment-page', [`Segment ${LAST}`, EMAIL]);
    await s.page.goto(`${server.base}/admin/requests/${ids.request}`);
    await asText(s.page, 'request-case', [`Now: ${FIRST}`]);
    await s.page.goto(`${server.base}/admin/`);
    await s.page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await s.page.goto(`${server.base}/admin/audit`);
    await asText(s.page, 'audit', []);
  });

  test('nothing went wrong on the way, and no URL carried the person’s address or name', () => {
    assert.deepEqual(s.problems, [], 'no dialog, console error or page error');
    const personal = [EMAIL, 'mallory', encodeURIComponent(EMAIL), encodeURIComponent(FIRST)];
    const leaked = urls.filter((u) => personal.some((p) => u.toLowerCase().includes(p.toLowerCase())));
    assert.deepEqual(leaked, []);
    assert.ok(urls.length > 20, `the console made its calls (${urls.length})`);
  });
});
