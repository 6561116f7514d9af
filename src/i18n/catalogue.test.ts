import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Catalogue, catalogue, formatDate, formatDay, localesDir, negotiate, parseAcceptLanguage, placeholdersOf, t } from './catalogue.ts';

const en = catalogue.strings('en');

describe('the shipped catalogue', () => {
  it('ships English and German', () => {
    assert.deepEqual(catalogue.languages(), ['de', 'en']);
  });

  it('every language has every English key, with the same placeholders, and nothing more', () => {
    for (const lang of catalogue.languages()) {
      const s = catalogue.strings(lang);
      for (const [key, text] of Object.entries(en)) {
        assert.ok(Object.hasOwn(s, key), `${lang}.json lacks ${key}`);
        assert.deepEqual(placeholdersOf(s[key]!), placeholdersOf(text), `${lang}.json ${key}: placeholders differ from English`);
      }
      assert.deepEqual(
        Object.keys(s).filter((k) => !Object.hasOwn(en, k)),
        [],
        `${lang}.json has keys English has not`,
      );
    }
  });

  it('the placeholder check catches a missing or misspelled placeholder', () => {
    assert.notDeepEqual(placeholdersOf('bis zum {dedline}'), placeholdersOf('by {deadline}'));
    assert.notDeepEqual(placeholdersOf('bis bald'), placeholdersOf('by {deadline}'));
    assert.deepEqual(placeholdersOf('{b} {a} {b}'), ['a', 'b']);
  });

  it('no string holds markup: a string is text, escaping is the renderer’s job', () => {
    for (const lang of catalogue.languages())
      for (const [key, text] of Object.entries(catalogue.strings(lang))) {
        assert.doesNotMatch(text, /<[A-Za-z/!]|&[A-Za-z#][A-Za-z0-9]*;/, `${lang}.json ${key} holds markup`);
        assert.doesNotMatch(text, /\{\{|\}\}/, `${lang}.json ${key}: a template tag, not a placeholder`);
      }
  });

  it('is found from the sources and from the bundle (dist/ is one level below the root)', () => {
    const dir = localesDir();
    assert.equal(localesDir(join(dir, '..', 'dist')), dir);
  });
});

describe('t', () => {
  it('fills placeholders, falls back to English, never throws on a missing value', () => {
    assert.equal(t('de', 'dsr.confirmed.text', { deadline: '4. Januar 2027' }).includes('bis zum 4. Januar 2027'), true);
    assert.equal(t('fr', 'dsr.invalid.title'), en['dsr.invalid.title'], 'an unknown language speaks English');
    assert.equal(t('de', 'no.such.key'), 'no.such.key');
    assert.equal(t('en', 'dsr.confirmed.text'), en['dsr.confirmed.text'], 'the gap stays visible');
    assert.match(t('en', 'dsr.confirmed.text'), /\{deadline\}/);
  });

  it('puts any value in as it is, once: no value is read as a placeholder or a pattern', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (v) => {
        const out = t('en', 'unsubscribe.done.list', { list: v });
        assert.equal(
          out,
          en['unsubscribe.done.list']!.replace('{list}', () => v),
        );
      }),
    );
    assert.equal(t('en', 'unsubscribe.done.list', { list: '$& {list} $1' }), 'You have left the list “$& {list} $1”.');
  });

  it('a key missing from another language falls back to English', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locales-'));
    try {
      copyFileSync(join(localesDir(), 'en.json'), join(dir, 'en.json'));
      writeFileSync(join(dir, 'nl.json'), JSON.stringify({ 'unsubscribe.title': 'Afmelden' }));
      const c = Catalogue.load(dir);
      assert.equal(c.t('nl', 'unsubscribe.title'), 'Afmelden');
      assert.equal(c.t('nl', 'unsubscribe.button'), 'Unsubscribe');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a flat object of strings, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locales-'));
    try {
      copyFileSync(join(localesDir(), 'en.json'), join(dir, 'en.json'));
      writeFileSync(join(dir, 'it.json'), JSON.stringify({ a: { b: 'c' } }));
      assert.throws(() => Catalogue.load(dir), /it\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('negotiate', () => {
  it('the page’s language, else the contact’s, else Accept-Language by quality, else the fallback', () => {
    assert.equal(negotiate({ page: 'de', acceptLanguage: 'en', fallback: 'en' }), 'de');
    assert.equal(negotiate({ page: 'xx', acceptLanguage: 'de', fallback: 'en' }), 'de', 'an unknown page language is passed over');
    assert.equal(negotiate({ contact: 'de-DE', fallback: 'en' }), 'de');
    assert.equal(negotiate({ acceptLanguage: 'de-AT', fallback: 'en' }), 'de');
    assert.equal(negotiate({ acceptLanguage: 'fr-CH, fr;q=0.9, de;q=0.8, en;q=0.7', fallback: 'en' }), 'de');
    assert.equal(negotiate({ acceptLanguage: 'en;q=0.5, de;q=0.9', fallback: 'en' }), 'de');
    assert.equal(negotiate({ acceptLanguage: 'de;q=0, en', fallback: 'de' }), 'en', 'q=0 means not this one');
    assert.equal(negotiate({ acceptLanguage: '*', fallback: 'de' }), 'de');
    assert.equal(negotiate({ acceptLanguage: null, fallback: 'xx' }), 'en');
  });

  it('always answers a language the catalogue has, whatever the header', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(fc.string()), fc.option(fc.string()), (page, contact, acceptLanguage) => {
        assert.ok(catalogue.has(negotiate({ page, contact, acceptLanguage, fallback: 'en' })));
      }),
    );
    assert.deepEqual(parseAcceptLanguage('de;q=abc, <b>, en-GB;q=0.3'), ['en-GB']);
  });

  it('a translator adds a language by dropping a file: French is negotiated with no code change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locales-'));
    try {
      for (const l of catalogue.languages()) copyFileSync(join(localesDir(), `${l}.json`), join(dir, `${l}.json`));
      copyFileSync(join(localesDir(), 'en.json'), join(dir, 'fr.json'));
      const c = Catalogue.load(dir);
      assert.deepEqual(c.languages(), ['de', 'en', 'fr']);
      assert.equal(c.negotiate({ acceptLanguage: 'fr-CA,fr;q=0.9,en;q=0.5', fallback: 'en' }), 'fr');
      assert.equal(formatDate('fr', new Date('2027-01-04T12:00:00Z'), 'UTC'), '4 janvier 2027');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dates', () => {
  it('as people write them, on the calendar of the time zone', () => {
    const at = new Date('2027-01-04T12:00:00Z');
    assert.equal(formatDate('en', at, 'UTC'), '4 January 2027');
    assert.equal(formatDate('de', at, 'UTC'), '4. Januar 2027');
    // 23:30 UTC on the 3rd is already the 4th in Berlin.
    assert.equal(formatDate('en', new Date('2027-01-03T23:30:00Z'), 'Europe/Berlin'), '4 January 2027');
    assert.equal(formatDay('de', '2027-01-04'), '4. Januar 2027');
  });
});
