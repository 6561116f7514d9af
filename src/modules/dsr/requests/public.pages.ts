import { formatDay, t } from '../../../i18n/catalogue.ts';
import { tHtml } from '../../../i18n/identity.ts';
import { escapeHtml } from '../../../lib/html.ts';
import { PUBLIC_PAGE_HEADERS, type PageShell, publicPage } from '../../../http/public-page.ts';
import { asked } from './requests.messages.ts';

/** The headers of these pages: every public page's (src/http/public-page.ts). */
export const PAGE_HEADERS = PUBLIC_PAGE_HEADERS;

const p = (lang: string, key: string, params?: Parameters<typeof tHtml>[2]) => `<p>${tHtml(lang, key, params)}</p>`;

/**
 * The link's landing page: it only asks; the button's POST confirms. The form posts to the bare
 * address (the token travels in the body only), keeping the page's language when it was chosen by `?lang=`.
 */
export function confirmPage(shell: PageShell, token: string, type: string, lang: string | null = null): string {
  const l = shell.lang;
  const action = lang ? `verify?lang=${encodeURIComponent(lang)}` : 'verify';
  return publicPage(
    shell,
    t(l, 'dsr.confirm.title'),
    `${p(l, 'dsr.confirm.asked', { asked: asked(l, type) })}
${p(l, 'dsr.confirm.ifYou')}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">${escapeHtml(t(l, 'dsr.confirm.button'))}</button>
</form>
${p(l, 'dsr.confirm.ifNot')}`,
  );
}

/** `deadline`: the case's, a date (YYYY-MM-DD) in the installation's time zone, written out. */
export function confirmedPage(shell: PageShell, deadline: string): string {
  return publicPage(
    shell,
    t(shell.lang, 'dsr.confirmed.title'),
    p(shell.lang, 'dsr.confirmed.text', { deadline: formatDay(shell.lang, deadline) }),
  );
}

export function alreadyConfirmedPage(shell: PageShell): string {
  return publicPage(shell, t(shell.lang, 'dsr.already.title'), p(shell.lang, 'dsr.already.text'));
}

/** One page for every bad link (forged, altered, expired, unknown): it gives no hint which. */
export function invalidLinkPage(shell: PageShell): string {
  return publicPage(shell, t(shell.lang, 'dsr.invalid.title'), p(shell.lang, 'dsr.invalid.text'));
}
