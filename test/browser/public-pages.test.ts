// Every public page (public-pages.ts) in Chromium, in English and in German: axe-core finds no
// serious or critical violation, the page says its language, nothing runs or loads against its
// CSP, and on a phone (390 px) nothing is wider than the screen. Screenshots go to
// .tmp/screenshots/public-<page>-<lang>.png for review.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { t } from '../../src/i18n/catalogue.ts';
import { assertAccessible, browserSkip, openBrowser, SQLITE_BROWSER, type Session, screenshot } from './harness.ts';
import { PUBLIC_PAGES } from './public-pages.ts';
import { type PublicWorld, startPublicWorld } from './public-world.ts';

// The pages do not change with the database (their HTTP tests run on both): SQLite only.
for (const d of SQLITE_BROWSER)
  describe(`public pages: accessible, in English and German, on a phone [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let w: PublicWorld;
    let s: Session;
    before(async () => {
      w = await startPublicWorld(d.name);
      s = await openBrowser({ viewport: { width: 390, height: 844 } });
    });
    after(async () => {
      await s?.close();
      await w?.stop();
    });

    for (const lang of ['en', 'de'] as const)
      test(`every public page in ${lang === 'en' ? 'English' : 'German'}`, async () => {
        await s.page.setExtraHTTPHeaders({ 'accept-language': lang === 'de' ? 'de-DE,de;q=0.9' : 'en-GB,en;q=0.9' });
        const seen: string[] = [];
        for (const p of PUBLIC_PAGES) {
          s.problems.length = 0;
          await p.open(s.page, w, lang);
          const what = `${p.name} (${lang})`;
          assert.equal(await s.page.getAttribute('html', 'lang'), lang, `${what}: says its language`);
          await assertAccessible(s.page, what);
          // Reflow (WCAG 1.4.10): nothing wider than the phone's screen.
          const wide = Number(await s.page.evaluate('document.documentElement.scrollWidth'));
          assert.ok(wide <= 390, `${what}: ${wide} px wide on a 390 px screen`);
          await screenshot(s.page, `public-${p.name}-${lang}`);
          // A refusal page's own 4xx is its answer (its status is checked where it is opened), not a problem of the page.
          assert.deepEqual(
            s.problems.filter((x) => !/Failed to load resource: the server responded with a status of 40[04]/.test(x)),
            [],
            what,
          );
          seen.push(p.name);
        }
        assert.equal(seen.length, PUBLIC_PAGES.length);
        // The German pass read German words: one page's title checked against the catalogue.
        await PUBLIC_PAGES.find((p) => p.name === 'form invalid link')!.open(s.page, w, lang);
        assert.equal(await s.page.title(), t(lang, 'forms.invalidLink.title'));
      });
  });
