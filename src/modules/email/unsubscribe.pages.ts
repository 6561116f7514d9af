import { t } from '../../i18n/catalogue.ts';
import { tHtml } from '../../i18n/identity.ts';
import { escapeHtml } from '../../lib/html.ts';
import { PUBLIC_PAGE_HEADERS, type PageShell, publicPage } from '../../http/public-page.ts';
import type { Leaving } from './unsubscribe.service.ts';

/** The headers of these pages: every public page's (src/http/public-page.ts). */
export const PAGE_HEADERS = PUBLIC_PAGE_HEADERS;

/**
 * The view in a browser shows a marketer's HTML: its styles and images load, nothing runs (the
 * sandbox without scripts, no script source), forms go nowhere, and its links open outside.
 */
export const VIEW_HEADERS = {
  ...PAGE_HEADERS,
  'content-security-policy':
    "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline' https:; font-src https: data:; form-action 'none'; " +
    "frame-ancestors 'none'; base-uri 'none'; sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation",
} as const;

const p = (lang: string, key: string, params?: Parameters<typeof tHtml>[2]) => `<p>${tHtml(lang, key, params)}</p>`;

function what(lang: string, l: Leaving): string {
  return l.kind === 'list' ? p(lang, 'unsubscribe.list', { list: l.listName }) : p(lang, 'unsubscribe.level', { level: l.levelName });
}

/** The GET: what the button will do. The form posts to this same address, with the body RFC 8058 defines. */
export function confirmPage(shell: PageShell, l: Leaving): string {
  return publicPage(
    shell,
    t(shell.lang, 'unsubscribe.title'),
    `${what(shell.lang, l)}
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">${escapeHtml(t(shell.lang, 'unsubscribe.button'))}</button>
</form>
${p(shell.lang, 'unsubscribe.keep')}`,
  );
}

export function donePage(shell: PageShell, l: Leaving): string {
  return publicPage(
    shell,
    t(shell.lang, 'unsubscribe.done.title'),
    l.kind === 'list' ? p(shell.lang, 'unsubscribe.done.list', { list: l.listName }) : p(shell.lang, 'unsubscribe.done.level'),
  );
}

/** One page for every bad link (forged, altered, expired, another kind's, or its mail's recipient erased): no hint which. */
export function invalidLinkPage(shell: PageShell): string {
  return publicPage(shell, t(shell.lang, 'unsubscribe.invalid.title'), p(shell.lang, 'unsubscribe.invalid.text'));
}
