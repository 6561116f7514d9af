import { type PageShell, PUBLIC_PAGE_HEADERS, publicPage } from '../../http/public-page.ts';
import { t } from '../../i18n/catalogue.ts';
import { escapeHtml } from '../../lib/html.ts';
import { problemText, receivedText } from './forms.text.ts';

/** The headers of these pages: every public page's (src/http/public-page.ts). */
export const PAGE_HEADERS = PUBLIC_PAGE_HEADERS;

const p = (text: string) => `<p>${escapeHtml(text)}</p>`;

/** The one answer to an accepted plain HTML post, known address or not: its language is the request's alone. */
export function receivedPage(shell: PageShell): string {
  return publicPage(shell, t(shell.lang, 'forms.received.title'), p(receivedText(shell.lang)));
}

/** A plain HTML post with invalid fields: each problem beside the field's label, every value escaped. */
export function invalidPage(shell: PageShell, problems: { label: string; message: string }[]): string {
  const l = shell.lang;
  const items = problems
    .map((x) => `<li><strong>${escapeHtml(x.label)}</strong>: ${escapeHtml(problemText(l, x.message))}</li>`)
    .join('\n');
  return publicPage(shell, t(l, 'forms.invalid.title'), `${p(t(l, 'forms.invalid.intro'))}\n<ul>\n${items}\n</ul>`);
}

/** The confirmation link's page: it only asks; the button's POST (to this same address, its `?lang=` kept) confirms. */
export function confirmPage(shell: PageShell): string {
  const l = shell.lang;
  return publicPage(
    shell,
    t(l, 'forms.confirm.title'),
    `${p(t(l, 'forms.confirm.intro'))}
<form method="post">
<button type="submit">${escapeHtml(t(l, 'forms.confirm.button'))}</button>
</form>`,
  );
}

export function confirmedPage(shell: PageShell): string {
  return publicPage(shell, t(shell.lang, 'forms.confirmed.title'), p(t(shell.lang, 'forms.confirmed.text')));
}

/** One page for every bad link (forged, expired, used): it gives no hint which. */
export function invalidLinkPage(shell: PageShell): string {
  return publicPage(shell, t(shell.lang, 'forms.invalidLink.title'), p(t(shell.lang, 'forms.invalidLink.text')));
}
