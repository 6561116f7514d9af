import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { tHtml } from '../i18n/identity.ts';
import { escapeHtml } from '../lib/html.ts';
import { pageLanguage, publicPage } from './public-page.ts';

const org = { name: 'Shop', contactEmail: 'privacy@shop.example', privacyNoticeUrl: 'https://shop.example/privacy' };
// Markers no template holds, around each hostile value (one per value), so its place in the page can be found exactly.
const MARKS = ['\u2063', '\u2064', '\u2062'] as const;
const hostile = (m: string) =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom('<b>Shop & Co</b>', '"><script>alert(1)</script>', "' onfocus='x", '&amp;', '{organisation}', '$&', '\u0000'),
    )
    .filter((s) => !MARKS.some((x) => s.includes(x)))
    .map((s) => `${m}${s}${m}`);

describe('the public page shell', () => {
  it('shows every value of the organisation as text, wherever it goes (property)', () => {
    fc.assert(
      fc.property(hostile(MARKS[0]), hostile(MARKS[1]), hostile(MARKS[2]), fc.constantFrom('en', 'de'), (name, email, url, lang) => {
        const page = publicPage(
          { lang, organisation: { name, contactEmail: email, privacyNoticeUrl: url } },
          name,
          `<p>${escapeHtml(url)}</p>`,
        );
        const plain = publicPage(
          { lang, organisation: { name: 'N', contactEmail: 'E', privacyNoticeUrl: 'U' } },
          'N',
          `<p>${escapeHtml('U')}</p>`,
        );
        // Each value is there only escaped: swapping the escaped values for plain ones gives the plain page, tag for tag.
        const swapped = page.replaceAll(escapeHtml(name), 'N').replaceAll(escapeHtml(email), 'E').replaceAll(escapeHtml(url), 'U');
        assert.equal(swapped, plain);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the language and names only what the organisation set', () => {
    const de = publicPage({ lang: 'de', organisation: { name: 'Shop', contactEmail: null, privacyNoticeUrl: null } }, 'Titel', '<p>x</p>');
    assert.match(de, /^<!doctype html>\n<html lang="de">/);
    assert.match(de, /<footer>\n<p>Diese Seite wird von Shop bereitgestellt\.<\/p>\n<\/footer>/);
    const en = publicPage({ lang: 'en', organisation: org }, 'Title', '<p>x</p>');
    assert.ok(en.includes('<p>Questions about your data: <a href="mailto:privacy@shop.example">privacy@shop.example</a></p>'));
    assert.ok(en.includes('<p><a href="https://shop.example/privacy">Privacy notice</a></p>'));
  });

  it('takes ?lang= when the catalogue has it, else Accept-Language, else English', () => {
    assert.equal(pageLanguage({ query: { lang: 'de' }, headers: { 'accept-language': 'en' } }), 'de');
    assert.equal(pageLanguage({ query: { lang: ['de', 'en'] }, headers: {} }), 'en', 'a repeated parameter says nothing');
    assert.equal(pageLanguage({ query: { lang: 'xx' }, headers: { 'accept-language': 'de-CH' } }), 'de');
    assert.equal(pageLanguage({ headers: { 'accept-language': ['de', 'en'] } }), 'en');
    assert.equal(pageLanguage({ headers: {} }), 'en');
  });

  it('on a page bound to a contact: ?lang=, else the contact’s language, else Accept-Language', () => {
    assert.equal(pageLanguage({ headers: { 'accept-language': 'en' } }, 'de-AT'), 'de');
    assert.equal(pageLanguage({ query: { lang: 'en' }, headers: {} }, 'de'), 'en', 'the page’s own outranks the contact’s');
    assert.equal(pageLanguage({ headers: { 'accept-language': 'de' } }, 'pt-BR'), 'de', 'a language the catalogue lacks is passed over');
    assert.equal(pageLanguage({ headers: { 'accept-language': 'de' } }, null), 'de');
  });

  it('a sentence with a link in it: the text escaped, the link as built', () => {
    fc.assert(
      fc.property(hostile(MARKS[0]), (v) => {
        const out = tHtml('en', 'page.footer.contact', { email: v });
        assert.equal(out, `Questions about your data: ${escapeHtml(v)}`);
      }),
    );
    assert.equal(
      tHtml('de', 'page.footer.contact', { email: { html: '<a href="mailto:a@b">a@b</a>' } }),
      'Fragen zu Ihren Daten: <a href="mailto:a@b">a@b</a>',
    );
  });
});
