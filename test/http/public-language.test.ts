import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { FakeClock } from '../../src/lib/clock.ts';
import { signToken } from '../../src/lib/signed.ts';
import { LINK_QUEUE } from '../../src/modules/dsr/requests/requests.intake.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { runJobs } from '../helpers/jobs.ts';

const ORG = {
  name: '<b>Shop & Co</b>',
  postalAddress: null,
  contactEmail: 'privacy@shop.example',
  privacyNoticeUrl: 'https://shop.example/privacy?a=1&b=2',
  dpo: null,
  supervisoryAuthority: null,
};

/**
 * The data-request pages and mails speak the person's language (issue 15, point 9): the page's
 * `?lang=`, else Accept-Language, else English; mail the contact's language, else English. They
 * name the organisation (its name shown as text, whatever it holds) and state the deadline as a
 * date in the organisation's time zone. Known and unknown addresses still get the same bytes.
 */
forEachDialect('data-request pages and mails in the person’s language', (ctx) => {
  let t: TestApp;
  // 23:30 UTC on 3 December is already the 4th in Berlin: the deadline is counted from there.
  const clock = new FakeClock('2026-12-03T23:30:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ timeZone: 'Europe/Berlin', organisation: ORG });
  });
  after(async () => t.close());

  let ip = 0;
  const intake = async (email: string, headers: Record<string, string> = {}, type = 'access') => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/public/v1/requests',
      payload: { type, email },
      headers,
      remoteAddress: `10.9.0.${++ip}`,
    });
    await runJobs(t.services, [LINK_QUEUE]);
    return res;
  };
  /** The first link mail to an address (the outbox lists the newest first). */
  const mailTo = async (to: string) =>
    (await t.services.mail.listOutbox({ limit: 500 })).items.filter((m) => m.to === to && m.text?.includes('/verify?')).at(-1)!;
  const tokenIn = (text: string) => decodeURIComponent(/verify\?(?:lang=\w+&)?token=(\S+)/.exec(text)![1]!);
  const page = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const confirm = (token: string, url = '/public/v1/requests/verify', headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token }).toString(),
    });
  const shape = (r: LightMyRequestResponse) => {
    const { date: _d, 'x-request-id': _x, ...headers } = r.headers;
    return { status: r.statusCode, headers, body: r.body };
  };
  const verifyUrl = (token: string, extra = '') => `/public/v1/requests/verify?token=${encodeURIComponent(token)}${extra}`;

  it('mails a contact whose language is German in German, an unknown address in English, each naming the organisation', async () => {
    await t.services.contacts.create({ email: 'lena@example.org', language: 'de' });
    const known = await intake('lena@example.org', { 'accept-language': 'de' });
    const unknown = await intake('nobody@example.org', { 'accept-language': 'de' });
    assert.deepEqual(shape(known).body, shape(unknown).body, 'the intake answers alike');
    assert.equal(known.statusCode, 202);
    const de = await mailTo('lena@example.org');
    const en = await mailTo('nobody@example.org');
    assert.equal(de.subject, 'Bestätigen Sie Ihre Anfrage zu Ihren Daten');
    assert.match(de.text!, /Wir haben mit dieser E-Mail-Adresse eine Anfrage erhalten: eine Kopie/);
    // Valid 48 hours: until 6 December, 00:30 in Berlin.
    assert.match(de.text!, /er gilt bis 6\. Dezember 2026 um 00:30 \(Europe\/Berlin\)/);
    assert.ok(
      de.text!.endsWith(
        'Diese Nachricht wurde von <b>Shop & Co</b> gesendet.\n' +
          'Fragen zu Ihren Daten: privacy@shop.example\nDatenschutzhinweise: https://shop.example/privacy?a=1&b=2',
      ),
      de.text!,
    );
    assert.equal(en.subject, 'Confirm your data request');
    assert.match(en.text!, /it works until 6 December 2026 at 00:30 \(Europe\/Berlin\)/);
    assert.match(en.text!, /This message was sent by <b>Shop & Co<\/b>\./);
    // The German mail's link opens the German page, whatever the browser says; the English one carries no language.
    const link = /(http\S+verify\?\S+)/.exec(de.text!)![1]!;
    assert.match(link, /\/public\/v1\/requests\/verify\?lang=de&token=[^&]+$/);
    const opened = await page(new URL(link).pathname + new URL(link).search, { 'accept-language': 'en' });
    assert.equal(opened.statusCode, 200);
    assert.match(opened.body, /<html lang="de">/);
    assert.match(en.text!, /\/public\/v1\/requests\/verify\?token=[^&\s]+\n/);
  });

  it('shows the German page with lang="de" for a German browser, or for ?lang=de whatever the browser says', async () => {
    const token = tokenIn((await mailTo('nobody@example.org')).text!);
    for (const [url, headers] of [
      [verifyUrl(token), { 'accept-language': 'de-AT,de;q=0.9,en;q=0.5' }],
      [verifyUrl(token, '&lang=de'), { 'accept-language': 'en' }],
      [verifyUrl(token, '&lang=de'), {}],
    ] as const) {
      const res = await page(url, headers);
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /<html lang="de">/);
      assert.match(res.body, /<h1>Bestätigen Sie Ihre Anfrage zu Ihren Daten<\/h1>/);
      assert.match(res.body, /<button type="submit">Meine Anfrage bestätigen<\/button>/);
    }
    // The page chosen by ?lang= posts its language along; the token travels in the body alone.
    assert.match((await page(verifyUrl(token, '&lang=de'))).body, /<form method="post" action="verify\?lang=de">/);
    const en = await page(verifyUrl(token), { 'accept-language': 'fr, en;q=0.8' });
    assert.match(en.body, /<html lang="en">/);
    assert.match(en.body, /<h1>Confirm your data request<\/h1>/);
    assert.match(en.body, /<form method="post" action="verify">/);
    const unknownLang = await page(verifyUrl(token, '&lang=xx'));
    assert.equal(unknownLang.statusCode, 200, 'a language the catalogue lacks is passed over, not refused');
    assert.match(unknownLang.body, /<html lang="en">/);
  });

  it('names the organisation in the footer, as text, with its contact address and privacy notice', async () => {
    const token = tokenIn((await mailTo('nobody@example.org')).text!);
    for (const lang of ['en', 'de']) {
      const res = await page(verifyUrl(token, `&lang=${lang}`));
      assert.ok(!res.body.includes('<b>'), 'the name’s markup is shown as text');
      assert.ok(res.body.includes('&lt;b&gt;Shop &amp; Co&lt;/b&gt;'));
      assert.match(res.body, /<footer>[\s\S]*<a href="mailto:privacy@shop\.example">privacy@shop\.example<\/a>/);
      assert.ok(res.body.includes('<a href="https://shop.example/privacy?a=1&amp;b=2">'));
    }
    assert.match(
      (await page(verifyUrl(token, '&lang=de'))).body,
      /Diese Seite wird von &lt;b&gt;Shop &amp; Co&lt;\/b&gt; bereitgestellt\./,
    );
    assert.match((await page(verifyUrl(token, '&lang=de'))).body, /Datenschutzhinweise<\/a>/);
  });

  it('states the deadline as a date in the organisation’s time zone, and known and unknown addresses get the same page', async () => {
    const known = tokenIn((await mailTo('lena@example.org')).text!);
    const unknown = tokenIn((await mailTo('nobody@example.org')).text!);
    const de = [await confirm(known, '/public/v1/requests/verify?lang=de'), await confirm(unknown, '/public/v1/requests/verify?lang=de')];
    for (const r of de) {
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /wir beantworten sie bis zum 4\. Januar 2027\./);
      assert.match(r.body, /<html lang="de">/);
    }
    assert.deepEqual(shape(de[0]!), shape(de[1]!));
    // A request of another type (one of the same type would join the case already confirmed).
    await intake('lena@example.org', {}, 'objection');
    await intake('nobody@example.org', {}, 'objection');
    // The second case's link: the mail whose token is not the first case's.
    const again = async (to: string, first: string) =>
      (await t.services.mail.listOutbox({ limit: 500 })).items
        .filter((m) => m.to === to)
        .map((m) => tokenIn(m.text!))
        .find((tok) => tok !== first)!;
    const en = [await confirm(await again('lena@example.org', known)), await confirm(await again('nobody@example.org', unknown))];
    for (const r of en) assert.match(r.body, /we will answer it by 4 January 2027\./);
    assert.deepEqual(shape(en[0]!), shape(en[1]!));
    // Confirmed already: the same page for both too.
    assert.deepEqual(
      shape(await confirm(known, undefined, { 'accept-language': 'de' })),
      shape(await confirm(unknown, undefined, { 'accept-language': 'de' })),
    );
  });

  it(
    'answers a confirmed request in the contact’s language: the ' + 'export’s mail in German, and in English for an address alone',
    async () => {
      const staff = { type: 'user' as const, id: null };
      const [de] = await t.services.requests.list({ email: 'lena@example.org' }, 10);
      const [en] = await t.services.requests.list({ email: 'nobody@example.org' }, 10);
      await t.services.fulfil.fulfil(de!.id, {}, staff);
      await t.services.fulfil.fulfil(en!.id, {}, staff);
      const mails = (await t.services.mail.listOutbox({ limit: 500 })).items;
      const german = mails.find((m) => m.to === 'lena@example.org' && m.subject === 'Ihre personenbezogenen Daten');
      assert.ok(german, mails.map((m) => `${m.to}: ${m.subject}`).join('\n'));
      // The download link lasts 7 days: until 11 December, 00:30 in Berlin.
      assert.match(german.text!, /Sie können sie bis 11\. Dezember 2026 um 00:30 \(Europe\/Berlin\) über diesen Link herunterladen:/);
      assert.match(german.text!, /Diese Nachricht wurde von <b>Shop & Co<\/b> gesendet\./);
      // The address alone is held too (the mails sent to it): it gets its export, in English.
      const english = mails.find((m) => m.to === 'nobody@example.org' && m.subject === 'Your personal data');
      assert.ok(english, mails.map((m) => `${m.to}: ${m.subject}`).join('\n'));
      assert.ok(english.text!.startsWith('Here is a copy of the personal data we hold about you, as you asked.\n\n'), english.text!);
      assert.ok(english.text!.includes('Download it from this link until 11 December 2026 at 00:30 (Europe/Berlin):'), english.text!);
    },
  );

  it('refuses every bad link with one page in each language', async () => {
    const token = tokenIn((await mailTo('nobody@example.org')).text!);
    const [c] = await t.services.requests.list({ email: 'nobody@example.org' }, 10);
    const forged = signToken(Buffer.alloc(32, 1), 'dsr-verify', c!.id, new Date(clock.now().getTime() + 3600_000));
    for (const [lang, title] of [
      ['de', 'Dieser Link kann nicht verwendet werden'],
      ['en', 'This link cannot be used'],
    ] as const) {
      const headers = { 'accept-language': lang };
      const answers = [
        await page(verifyUrl(forged), headers),
        await page(verifyUrl(token, '&utm_source=mail'), headers),
        await page('/public/v1/requests/verify', headers),
        await confirm(forged, undefined, headers),
        await confirm(token, verifyUrl(token), headers),
      ];
      clock.advance(49 * 3600_000);
      try {
        answers.push(await page(verifyUrl(token), headers), await confirm(token, undefined, headers));
      } finally {
        clock.advance(-49 * 3600_000);
      }
      const first = shape(answers[0]!);
      assert.equal(first.status, 400);
      assert.match(first.body, new RegExp(`<html lang="${lang}">[\\s\\S]*<h1>${title}</h1>`));
      for (const a of answers) assert.deepEqual(shape(a), first);
    }
  });
});
