import { escapeHtml } from '../../lib/html.ts';
import { PUBLIC_PAGE_HEADERS, publicPage } from '../../http/public-page.ts';
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

function what(l: Leaving): string {
  return l.kind === 'list'
    ? `You will be removed from the list “${escapeHtml(l.listName)}” and receive no more of its messages.`
    : `You will receive no more messages of this kind. Your consent is set to at most “${escapeHtml(l.levelName)}”.`;
}

/** The GET: what the button will do. The form posts to this same address, with the body RFC 8058 defines. */
export function confirmPage(l: Leaving): string {
  return publicPage(
    'Unsubscribe',
    `<p>${what(l)}</p>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
<p>If you do not want to unsubscribe, close this page: nothing has changed.</p>`,
  );
}

export function donePage(l: Leaving): string {
  return publicPage(
    'You are unsubscribed',
    l.kind === 'list'
      ? `<p>You have left the list “${escapeHtml(l.listName)}”.</p>`
      : '<p>You will receive no more messages of this kind.</p>',
  );
}

/** One page for every bad link (forged, altered, expired, another kind's, or its mail's recipient erased): no hint which. */
export function invalidLinkPage(): string {
  return publicPage('This link cannot be used', '<p>The link is incomplete or no longer valid.</p>');
}
