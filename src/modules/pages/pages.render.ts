import { type PageShell, publicPage, SAME_ORIGIN_PAGE_HEADERS } from '../../http/public-page.ts';
import { t } from '../../i18n/catalogue.ts';
import { escapeHtml as e } from '../../lib/html.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { FORM_CSS } from '../forms/module.ts';
import type { StoredPage } from './pages.model.ts';

/**
 * The headers of every answer at /p/{slug}: no script, no framing, forms post to this origin
 * only, and `same-origin` referrers (with `no-referrer` a browser posts `Origin: null`, which the
 * origin check refuses). The same on every answer, the refusals included.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = SAME_ORIGIN_PAGE_HEADERS;

/** What a page type answers: a status and a whole HTML page, with its headers. */
export interface PageAnswer {
  status: number;
  html: string;
  headers: Readonly<Record<string, string>>;
}

export const answer = (status: number, html: string, headers: Readonly<Record<string, string>> = PAGE_HEADERS): PageAnswer => ({
  status,
  html,
  headers,
});

/** A page with its title (h1), its intro (safe Markdown) and the type's part below. */
export function framed(page: StoredPage, shell: PageShell, body: string): string {
  const intro = renderMarkdown(page.intro);
  return publicPage(shell, page.title, `<style>${FORM_CSS}</style>\n${intro ? `<div class="intro">\n${intro}\n</div>\n` : ''}${body}`, {
    referrer: 'same-origin',
  });
}

const plain = (shell: PageShell, key: string, extra = '') =>
  publicPage(shell, t(shell.lang, `${key}.title`), `<p>${e(t(shell.lang, `${key}.text`))}</p>${extra}`, { referrer: 'same-origin' });

/** The one page for an unknown slug, an unpublished page, and a page that cannot be shown (its form gone): no hint which. */
export const notFound = (shell: PageShell): PageAnswer => answer(404, plain(shell, 'pages.notFound'));

/** A post without a valid hidden field or from another origin: nothing was done; reloading gives a fresh field. */
export const reload = (shell: PageShell, selfUrl: string): PageAnswer =>
  answer(403, plain(shell, 'pages.reload', `\n<p><a href="${e(selfUrl)}">${e(t(shell.lang, 'pages.reload.link'))}</a></p>`));

/** Too many requests from the client's network: 429, as a page. */
export const limited = (shell: PageShell, retryAfter: number | undefined): PageAnswer =>
  answer(429, plain(shell, 'pages.limited'), { ...PAGE_HEADERS, ...(retryAfter ? { 'retry-after': String(retryAfter) } : {}) });

/** A page with a title and one paragraph from the catalogue. */
export const message = (shell: PageShell, key: string, params: Record<string, string> = {}): string =>
  publicPage(shell, t(shell.lang, `${key}.title`, params), `<p>${e(t(shell.lang, `${key}.text`, params))}</p>`, {
    referrer: 'same-origin',
  });
