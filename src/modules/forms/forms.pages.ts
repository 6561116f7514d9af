import { type PageShell, PUBLIC_PAGE_HEADERS, publicPage } from '../../http/public-page.ts';
import { escapeHtml } from '../../lib/html.ts';
import { FORMS_TEXT as T } from './forms.text.ts';

/** The headers of these pages: every public page's (src/http/public-page.ts). */
export const PAGE_HEADERS = PUBLIC_PAGE_HEADERS;

/** The one answer to an accepted plain HTML post, known address or not. */
export function receivedPage(shell: PageShell): string {
  return publicPage(shell, T.receivedPage.title, `<p>${escapeHtml(T.received)}</p>`);
}

/** A plain HTML post with invalid fields: each problem beside the field's label, every value escaped. */
export function invalidPage(shell: PageShell, problems: { label: string; message: string }[]): string {
  const items = problems.map((p) => `<li><strong>${escapeHtml(p.label)}</strong>: ${escapeHtml(p.message)}</li>`).join('\n');
  return publicPage(shell, T.invalidPage.title, `<p>${escapeHtml(T.invalidPage.intro)}</p>\n<ul>\n${items}\n</ul>`);
}

/** The confirmation link's page: it only asks; the button's POST (to this same address) confirms. */
export function confirmPage(shell: PageShell): string {
  return publicPage(
    shell,
    T.confirmPage.title,
    `<p>${escapeHtml(T.confirmPage.intro)}</p>
<form method="post">
<button type="submit">${escapeHtml(T.confirmPage.button)}</button>
</form>`,
  );
}

export function confirmedPage(shell: PageShell): string {
  return publicPage(shell, T.confirmedPage.title, `<p>${escapeHtml(T.confirmedPage.body)}</p>`);
}

/** One page for every bad link (forged, expired, used): it gives no hint which. */
export function invalidLinkPage(shell: PageShell): string {
  return publicPage(shell, T.invalidLinkPage.title, `<p>${escapeHtml(T.invalidLinkPage.body)}</p>`);
}
