import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { t as say } from '../../src/i18n/catalogue.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import { escapeHtml } from '../../src/lib/html.ts';
import { LINK_QUEUE } from '../../src/modules/dsr/requests/requests.intake.ts';
import { portalUrl, subscriptionCenterUrl } from '../../src/modules/email/links.ts';
import { FORM_QUEUE } from '../../src/modules/forms/forms.service.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { runJobs } from '../helpers/jobs.ts';

const BASE = 'https://assent.example.org';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const ORG = {
  name: 'Bäckerei Sonne',
  postalAddress: null,
  contactEmail: 'datenschutz@sonne.example',
  privacyNoticeUrl: 'https://sonne.example/datenschutz',
  dpo: null,
  supervisoryAuthority: null,
};
const path = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};
const hidden = (body: string) => /name="form" value="([^"]+)"/.exec(body)?.[1] ?? '';
/** What two answers must share to be "the same answer": status, body and every header but the per-request ones. */
const shape = (r: LightMyRequestResponse) => {
  const { date: _d, 'x-request-id': _x, ...headers } = r.headers;
  return { status: r.statusCode, headers, body: r.body };
};
/** The page says it speaks `lang` and holds the catalogue's text of `key` in it. */
const speaks = (body: string, lang: string, key: string, params?: Record<string, string>) => {
  assert.match(body, new RegExp(`<html lang="${lang}">`));
  assert.ok(body.includes(escapeHtml(say(lang, key, params))), `${lang}: ${say(lang, key, params)}`);
};

/**
 * The forms', the subscription center's, the portal's and the export's words come from the
 * message catalogue (issue 15, point 9): the page's `?lang=`, else the language of the contact a
 * link is bound to, else Accept-Language. Answers anyone may get stay the same for a known and an
 * unknown address in every language: their language is the request's alone.
 */
forEachDialect('public pages in the person’s language', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-12-03T10:00:00.000Z');
  let listId: string;
  let formId: string;
  let doiId: string;
  let ip = 0;
  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ publicBaseUrl: BASE, timeZone: 'Europe/Berlin', organisation: ORG });
    listId = (await t.services.lists.create({ name: 'Brotpost' })).id;
    const fields = [
      { name: 'email', label: 'E-Mail', maps: 'email', required: true, type: 'email' },
      { name: 'first_name', label: 'Vorname', maps: 'firstName', maxLength: 5 },
      { name: 'consent', label: 'Einwilligung', maps: 'consentLevel', type: 'radio', levels: [{ level: 3, notice: 'Newsletter.' }] },
    ];
    const create = async (doubleOptIn: boolean) =>
      (
        await t.services.forms.create({
          name: 'Anmeldung',
          doubleOptIn,
          fields: fields as never,
        })
      ).id;
    formId = await create(false);
    doiId = await create(true);
  });
  after(async () => t.close());

  const submit = (id: string, payload: unknown, headers: Record<string, string> = {}, url = `/public/v1/forms/${id}`) =>
    t.app.inject({ method: 'POST', url, payload: payload as string, headers, remoteAddress: `10.7.0.${++ip}` });

  describe('forms', () => {
    it('answers a German browser in German and an English one as before, known and unknown addresses alike', async () => {
      await t.services.contacts.create({ email: 'bekannt@example.org', language: 'de' });
      for (const lang of ['en', 'de']) {
        const headers = { 'accept-language': lang === 'de' ? 'de-DE,de;q=0.9' : 'en-GB' };
        // JSON: the one body, in the request's language, whoever the address is.
        const json = [
          await submit(formId, { email: 'bekannt@example.org' }, headers),
          await submit(formId, { email: 'neu@example.org' }, headers),
        ];
        assert.deepEqual(shape(json[0]!), shape(json[1]!));
        assert.deepEqual(JSON.parse(json[0]!.body), { data: { status: 'received', message: say(lang, 'forms.received.text') } });
        // A plain HTML form: the page.
        const plain = [
          await submit(formId, 'email=bekannt%40example.org', { ...headers, ...FORM }),
          await submit(formId, 'email=neu2%40example.org', { ...headers, ...FORM }),
        ];
        assert.deepEqual(shape(plain[0]!), shape(plain[1]!));
        speaks(plain[0]!.body, lang, 'forms.received.text');
      }
      const english = await submit(formId, 'email=x%40example.org', { 'accept-language': 'fr', ...FORM });
      assert.ok(
        english.body.includes('Thank you. If a confirmation is needed, we have sent you an email with a link.'),
        'English unchanged',
      );
      // ?lang= outranks the browser.
      speaks(
        (await submit(formId, 'email=y%40example.org', FORM, `/public/v1/forms/${formId}?lang=de`)).body,
        'de',
        'forms.received.title',
      );
    });

    it('names each invalid field’s problem in the page’s language', async () => {
      const res = await submit(formId, 'email=nope&first_name=Bartholomew', { 'accept-language': 'de', ...FORM });
      assert.equal(res.statusCode, 400);
      speaks(res.body, 'de', 'forms.invalid.intro');
      assert.ok(res.body.includes(`<strong>E-Mail</strong>: ${escapeHtml(say('de', 'forms.problem.email'))}`), res.body);
      assert.ok(res.body.includes(`<strong>Vorname</strong>: ${escapeHtml(say('de', 'forms.problem.tooLong', { max: '5' }))}`));
      const en = await submit(formId, 'email=nope', FORM);
      assert.ok(en.body.includes('<strong>E-Mail</strong>: not an email address'), en.body);
    });

    it('mails the double opt-in link in the submitter’s language; its pages speak it, with the date as a date', async () => {
      await submit(doiId, 'email=doi-de%40example.org&consent=3', { 'accept-language': 'de', ...FORM });
      await runJobs(t.services, [FORM_QUEUE]);
      const mail = (await t.services.mail.listOutbox({ limit: 500 })).items.find((m) => m.to === 'doi-de@example.org')!;
      assert.equal(mail.subject, say('de', 'forms.mail.confirm.subject', { form: 'Anmeldung' }));
      assert.ok(mail.text!.includes('„Anmeldung“'), mail.text!);
      // Seven days from 3 December, in words, on Berlin's clock; the organisation named.
      assert.match(mail.text!, /10\. Dezember 2026/);
      assert.ok(mail.text!.includes('Bäckerei Sonne') && mail.text!.includes('datenschutz@sonne.example'));
      const link = /https:\/\/assent\.example\.org(\/public\/v1\/forms\/confirm\/[0-9a-f]+\?lang=de)/.exec(mail.text!)![1]!;
      const page = await t.app.inject({ method: 'GET', url: link, headers: { 'accept-language': 'en' } });
      speaks(page.body, 'de', 'forms.confirm.intro');
      assert.ok(page.body.includes(`<button type="submit">${say('de', 'forms.confirm.button')}</button>`));
      const done = await t.app.inject({ method: 'POST', url: link });
      speaks(done.body, 'de', 'forms.confirmed.text');
      const again = await t.app.inject({ method: 'POST', url: link });
      speaks(again.body, 'de', 'forms.invalidLink.text');
    });

    it('a German contact gets the mail in German from an English page that named no language', async () => {
      await t.services.contacts.create({ email: 'lena@example.org', language: 'de' });
      await submit(doiId, { email: 'lena@example.org', consent: '3' }, { 'accept-language': 'en' });
      await submit(doiId, { email: 'sam@example.org', consent: '3' }, { 'accept-language': 'en' });
      await runJobs(t.services, [FORM_QUEUE]);
      const items = (await t.services.mail.listOutbox({ limit: 500 })).items;
      assert.equal(items.find((m) => m.to === 'lena@example.org')!.subject, 'Bitte bestätigen Sie: Anmeldung');
      assert.equal(items.find((m) => m.to === 'sam@example.org')!.subject, 'Please confirm: Anmeldung');
    });
  });

  describe('data-request intake', () => {
    it('answers 202 with the same bytes for a known and an unknown address, in each language', async () => {
      for (const lang of ['en', 'de']) {
        const post = (email: string) =>
          t.app.inject({
            method: 'POST',
            url: '/public/v1/requests',
            payload: { type: 'access', email },
            headers: { 'accept-language': lang },
            remoteAddress: `10.8.0.${++ip}`,
          });
        const known = await post('bekannt@example.org');
        const unknown = await post(`niemand-${lang}@example.org`);
        assert.equal(known.statusCode, 202);
        assert.deepEqual(shape(known), shape(unknown));
        assert.equal(JSON.parse(known.body).data.message, say(lang, 'dsr.received'));
        await runJobs(t.services, [LINK_QUEUE]);
      }
    });
  });

  describe('the subscription center and the portal', () => {
    let n = 0;
    const person = async (language: string | null) => {
      const c = await t.services.contacts.create({ email: `person${n++}@example.org`, ...(language ? { language } : {}) });
      const key = await t.services.secret.key();
      const until = new Date(clock.now().getTime() + 86_400_000);
      return { id: c.id, center: path(subscriptionCenterUrl(BASE, key, c.id, until)), portal: path(portalUrl(BASE, key, c.id, until)) };
    };

    it('speaks the contact’s language, else the browser’s; ?lang= outranks both; the ledger keeps the notice as shown', async () => {
      const de = await person('de');
      const page = await t.app.inject({ method: 'GET', url: de.center, headers: { 'accept-language': 'en' } });
      speaks(page.body, 'de', 'center.levelHelp');
      assert.ok(page.body.includes(`<button type="submit">${say('de', 'center.save')}</button>`));
      const saved = await t.app.inject({
        method: 'POST',
        url: de.center,
        headers: { ...FORM, origin: BASE },
        payload: new URLSearchParams([
          ['form', hidden(page.body)],
          ['level', '2'],
          ['list', listId],
        ]).toString(),
      });
      speaks(saved.body, 'de', 'center.saved.text');
      const history = await t.services.ledger.history(de.id);
      assert.ok(history.find((e) => e.kind === 'level')!.notice!.text!.startsWith(say('de', 'center.levelNotice')));
      assert.ok(history.find((e) => e.kind === 'list_join')!.notice!.text!.startsWith(say('de', 'center.listNotice')));

      const none = await person(null);
      speaks((await t.app.inject({ method: 'GET', url: none.center, headers: { 'accept-language': 'de-AT' } })).body, 'de', 'center.title');
      const en = (await t.app.inject({ method: 'GET', url: none.center })).body;
      speaks(en, 'en', 'center.title');
      assert.ok(en.includes('<legend>What we may send you</legend>'), 'English unchanged');
      speaks((await t.app.inject({ method: 'GET', url: `${de.center}?lang=en` })).body, 'en', 'center.title');

      // The portal of the German contact: German words, German dates, level names; its export and erasure too.
      const portal = await t.app.inject({ method: 'GET', url: de.portal, headers: { 'accept-language': 'en' } });
      speaks(portal.body, 'de', 'portal.historyCaption');
      assert.match(portal.body, /3\. Dezember 2026/);
      assert.ok(portal.body.includes(escapeHtml(say('de', 'consent.source.subscription_center'))));
      assert.ok(portal.body.includes(escapeHtml(say('de', 'portal.joined', { list: 'Brotpost' }))));
      const exported = await t.app.inject({ method: 'GET', url: `${new URL(BASE + de.portal).pathname}/export?format=html` });
      assert.equal(exported.statusCode, 200);
      speaks(exported.body, 'de', 'export.about');
      assert.match(exported.body, /<td>Transactional \(Stufe 2\)<\/td>/);
      const erasure = await t.app.inject({
        method: 'POST',
        url: `${new URL(BASE + de.portal).pathname}/erasure`,
        headers: { ...FORM, origin: BASE },
        payload: new URLSearchParams({ form: hidden(portal.body) }).toString(),
      });
      assert.equal(erasure.statusCode, 200, erasure.body);
      // A month from 3 December, as a date.
      speaks(erasure.body, 'de', 'portal.erasureRequested.text', { deadline: '3. Januar 2027' });
    });

    it('the export a request fulfils speaks the person’s language, else the browser’s; ?lang= outranks both', async () => {
      const actor = { type: 'user', id: null } as const;
      const de = await person('de');
      const none = await person(null);
      const open = async (contactId: string, extra: string, headers: Record<string, string> = {}) => {
        const d = await t.services.accessExports.createDownload(contactId, { actor });
        return t.app.inject({ method: 'GET', url: `${path(d.url)}${extra}`, headers });
      };
      speaks((await open(de.id, '', { 'accept-language': 'en' })).body, 'de', 'export.rights');
      speaks((await open(de.id, '&lang=en', { 'accept-language': 'de' })).body, 'en', 'export.rights');
      speaks((await open(none.id, '', { 'accept-language': 'de' })).body, 'de', 'export.rights');
      const en = (await open(none.id, '')).body;
      speaks(en, 'en', 'export.rights');
      assert.ok(en.includes('<h2>About this copy and your rights</h2>'), 'English unchanged');
    });

    it('refuses a bad link in the request’s language only, the same page for every bad link', async () => {
      for (const [lang, headers] of [
        ['de', { 'accept-language': 'de' }],
        ['en', {}],
      ] as const) {
        const a = await t.app.inject({ method: 'GET', url: '/public/v1/subscription/forged.token', headers });
        const b = await t.app.inject({ method: 'GET', url: '/public/v1/privacy/forged.token', headers });
        speaks(a.body, lang, 'portal.refused.title');
        assert.equal(a.body, b.body);
        const x = await t.app.inject({ method: 'GET', url: '/public/v1/exports/0193?token=x', headers });
        assert.equal(x.statusCode, 404);
        speaks(x.body, lang, 'export.refused.text');
      }
    });
  });
});
