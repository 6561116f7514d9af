// Every public page Assent serves, one row each: how a person reaches it. The accessibility test
// (public-pages.test.ts) opens each in English and in German (the browser's Accept-Language), runs
// axe-core and takes a phone-sized screenshot. A new public page is one more row here (the pages
// module adds its /p/{slug} pages at merge).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { connect } from '../../src/db/connect.ts';
import type { Db } from '../../src/modules/database.ts';
import { newId } from '../../src/lib/ids.ts';
import { linkOf, postForm, type PublicWorld } from './public-world.ts';

export interface PublicPage {
  name: string;
  /** Leaves the browser on the page; `status` is what the page's answer must be. */
  open(page: Page, w: PublicWorld, lang: 'en' | 'de'): Promise<void>;
}

/** Goes to `url` and checks the answer's status. */
async function go(page: Page, url: string, status = 200): Promise<void> {
  const res = await page.goto(url);
  assert.equal(res?.status(), status, `${url}: ${res?.status()}`);
}

/** A double opt-in submitted (JSON, as a script on the organisation's site would) and its mailed link opened. */
async function confirmLink(page: Page, w: PublicWorld): Promise<void> {
  const email = w.address('doi');
  assert.equal((await w.publicPost(`/public/v1/forms/${w.doiFormId}`, { email, consent: '3' })).status, 200);
  await go(page, await w.link(email, linkOf(w, '/public/v1/forms/confirm/')));
}

/** A data request made through the public intake, and its verification link opened. */
async function verifyLink(page: Page, w: PublicWorld, email = w.address('dsr')): Promise<void> {
  assert.equal((await w.publicPost('/public/v1/requests', { type: 'access', email })).status, 202);
  await go(page, await w.link(email, linkOf(w, '/public/v1/requests/verify')));
}

/** A person with consent to marketing, sent the campaign: its link of `kind` opened. */
async function campaignLink(page: Page, w: PublicWorld, kind: 'subscription' | 'email/unsubscribe'): Promise<void> {
  const email = w.address('reader');
  const contactId = await w.contact(email, 4);
  const sent = await w.server.api('POST', `/api/v1/messages/${w.messageId}/send`, { contactId });
  assert.ok(sent.status < 300, JSON.stringify(sent.body));
  await go(page, await w.link(email, linkOf(w, `/public/v1/${kind}/`)));
}

/** The privacy portal, reached as a person does: from the subscription center of a campaign. */
async function portal(page: Page, w: PublicWorld): Promise<void> {
  await campaignLink(page, w, 'subscription');
  await page.locator('a[href*="/public/v1/privacy/"]').click();
  await page.waitForURL(/\/public\/v1\/privacy\//);
}

/**
 * A person with a lead scored by one model and refused by another (the gate's reason), written
 * to the database as the scoring engine would leave them, then the privacy portal opened as in
 * `portal`, scrolled to "How we score you".
 */
async function portalWithScores(page: Page, w: PublicWorld): Promise<void> {
  const email = w.address('scored');
  const contactId = await w.contact(email, 4);
  const db = connect(w.server.databaseUrl) as Db;
  try {
    const at = new Date().toISOString();
    const model = (name: string, level: number | null) => ({
      id: newId(),
      name,
      required_level: level,
      required_purpose: level === null ? 'profiling' : null,
      rules: '[]',
      grades: '{"A":80,"B":60,"C":40,"D":20}',
      sales_ready: 70,
      version: 1,
      created_at: at,
      updated_at: at,
      recompute_job_id: null,
      recompute_total: null,
      recompute_done: null,
      recompute_started_at: null,
      recompute_finished_at: null,
    });
    const fit = model('Customer fit', null);
    const strict = model('Event interest', 5);
    await db.kysely.insertInto('scoring_models').values([fit, strict]).execute();
    const leadId = newId();
    await db.kysely
      .insertInto('leads')
      .values({
        id: leadId,
        contact_id: contactId,
        title: 'Bakery ' + 'franchise',
        status: 'open',
        owner_id: null,
        value: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const row = { lead_id: leadId, contact_id: contactId, model_version: 1, computed_at: at };
    await db.kysely
      .insertInto('lead_scores')
      .values([
        { ...row, model_id: fit.id, score: 72, grade: 'B', sales_ready: 1, reason: 'allowed', ready_at: at },
        { ...row, model_id: strict.id, score: null, grade: null, sales_ready: 0, reason: 'below_required_level', ready_at: null },
      ])
      .execute();
  } finally {
    await db.close();
  }
  const sent = await w.server.api('POST', `/api/v1/messages/${w.messageId}/send`, { contactId });
  assert.ok(sent.status < 300, JSON.stringify(sent.body));
  await go(page, await w.link(email, linkOf(w, '/public/v1/subscription/')));
  await page.locator('a[href*="/public/v1/privacy/"]').click();
  await page.waitForURL(/\/public\/v1\/privacy\//);
  await page.locator('#section-scoring').scrollIntoViewIfNeeded();
}

/** A published page served at /p/{slug} (a fresh slug each call), opened; its slug. */
async function servedPage(page: Page, w: PublicWorld, lang: string, input: Record<string, unknown>, query = ''): Promise<string> {
  const slug = w
    .address('page')
    .split('@')[0]!
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const made = await w.server.api('POST', '/api/v1/pages', {
    slug,
    title: 'Bread news',
    intro: 'Fresh **bread** news, once a month. [Our privacy notice](https://bakery.example/privacy).',
    published: true,
    // A page speaks the language it was written in, whatever the browser asks: made in the one the row is opened in.
    language: lang,
    ...input,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await go(page, `${w.base}/p/${slug}${query}`);
  return slug;
}

export const PUBLIC_PAGES: PublicPage[] = [
  { name: 'landing page', open: (page, w, lang) => servedPage(page, w, lang, { type: 'landing', formId: w.formId }).then(() => undefined) },
  {
    name: 'landing page with errors',
    open: async (page, w, lang) => {
      await servedPage(page, w, lang, { type: 'landing', formId: w.formId });
      await page.locator('input[type=email]').fill('not an address');
      await page.locator('form button[type=submit]').click();
      await page.waitForLoadState();
    },
  },
  {
    name: 'landing page received',
    open: async (page, w, lang) => {
      await servedPage(page, w, lang, { type: 'landing', formId: w.formId });
      await page.locator('input[type=email]').fill(w.address('landing'));
      await page.locator('form button[type=submit]').click();
      await page.waitForLoadState();
    },
  },
  { name: 'data request page', open: (page, w, lang) => servedPage(page, w, lang, { type: 'data_request' }).then(() => undefined) },
  {
    name: 'subscription center page',
    open: async (page, w, lang) => {
      await campaignLink(page, w, 'subscription');
      const token = page.url().split('/').at(-1)!.split('?')[0]!;
      await servedPage(page, w, lang, { type: 'subscription_center' }, `?t=${token}`);
    },
  },
  { name: 'page not found', open: (page, w) => go(page, `${w.base}/p/no-such-page`, 404) },
  {
    name: 'form received',
    open: (page, w) => postForm(page, `${w.base}/public/v1/forms/${w.formId}`, [['email', w.address('form')]]),
  },
  {
    name: 'form invalid',
    open: async (page, w) => {
      await postForm(page, `${w.base}/public/v1/forms/${w.formId}`, [
        ['email', 'not an address'],
        ['first_name', 'x'.repeat(60)],
      ]);
    },
  },
  { name: 'form confirm', open: confirmLink },
  {
    name: 'form confirmed',
    open: async (page, w) => {
      await confirmLink(page, w);
      await page.locator('button[type=submit]').click();
      await page.waitForLoadState();
    },
  },
  { name: 'form invalid link', open: (page, w) => go(page, `${w.base}/public/v1/forms/confirm/${'0'.repeat(64)}`, 400) },
  { name: 'subscription center', open: (page, w) => campaignLink(page, w, 'subscription') },
  {
    name: 'subscription center saved',
    open: async (page, w) => {
      await campaignLink(page, w, 'subscription');
      await page.locator('form button[type=submit]').click();
      await page.waitForLoadState();
    },
  },
  { name: 'privacy portal', open: portal },
  { name: 'privacy portal scores', open: portalWithScores },
  {
    name: 'privacy portal export',
    open: async (page, w) => {
      await portal(page, w);
      await page.locator('a[href*="/export?format=html"]').click();
      await page.waitForURL(/\/export\?format=html/);
    },
  },
  {
    name: 'privacy portal erasure requested',
    open: async (page, w) => {
      await portal(page, w);
      await page.locator('form[action*="/erasure"] button').click();
      await page.waitForURL(/\/erasure/);
    },
  },
  { name: 'link refused', open: (page, w) => go(page, `${w.base}/public/v1/subscription/not.a.link`, 404) },
  { name: 'data request confirm', open: (page, w) => verifyLink(page, w) },
  {
    name: 'data request confirmed',
    open: async (page, w) => {
      await verifyLink(page, w);
      await page.locator('form button[type=submit]').click();
      await page.waitForLoadState();
    },
  },
  {
    name: 'data request already confirmed',
    open: async (page, w) => {
      await verifyLink(page, w);
      const url = page.url();
      await page.locator('form button[type=submit]').click();
      await page.waitForLoadState();
      await go(page, url);
      await page.locator('form button[type=submit]').click();
      await page.waitForLoadState();
    },
  },
  { name: 'data request invalid link', open: (page, w) => go(page, `${w.base}/public/v1/requests/verify?token=forged`, 400) },
  {
    name: 'access export',
    open: async (page, w) => {
      // A person asks, confirms, and the privacy officer fulfils: the mail's link opens the export.
      const email = w.address('access');
      await w.contact(email, 3);
      await verifyLink(page, w, email);
      await page.locator('form button[type=submit]').click();
      await page.waitForLoadState();
      const cases = await w.server.api('GET', `/api/v1/requests?email=${encodeURIComponent(email)}`);
      const id = cases.body.data[0].id as string;
      const done = await w.server.api('POST', `/api/v1/requests/${id}/fulfil`, {});
      assert.ok(done.status < 300, JSON.stringify(done.body));
      await go(page, await w.link(email, linkOf(w, '/public/v1/exports/')));
    },
  },
  { name: 'access export refused', open: (page, w) => go(page, `${w.base}/public/v1/exports/x?token=forged`, 404) },
  { name: 'unsubscribe', open: (page, w) => campaignLink(page, w, 'email/unsubscribe') },
  {
    name: 'unsubscribe done',
    open: async (page, w) => {
      await campaignLink(page, w, 'email/unsubscribe');
      await page.locator('form button[type=submit]').click();
      await page.waitForLoadState();
    },
  },
  { name: 'unsubscribe invalid link', open: (page, w) => go(page, `${w.base}/public/v1/email/unsubscribe/forged`, 404) },
];
