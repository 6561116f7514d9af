import { escapeHtml } from '../../../lib/html.ts';
import { PUBLIC_PAGE_HEADERS, publicPage } from '../../../http/public-page.ts';
import { ASKED } from './requests.messages.ts';
import type { RequestType } from './requests.model.ts';

/** The headers of these pages: every public page's (src/http/public-page.ts). */
export const PAGE_HEADERS = PUBLIC_PAGE_HEADERS;

/** The link's landing page: it only asks; the button's POST confirms. */
export function confirmPage(token: string, type: string): string {
  const asked = ASKED[type as RequestType] ?? 'a data request';
  return publicPage(
    'Confirm your data request',
    `<p>Someone asked for ${escapeHtml(asked)}, using this email address.</p>
<p>If it was you, confirm the request. Nothing is released, changed or deleted until you do.</p>
<form method="post" action="verify">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">Confirm my request</button>
</form>
<p>If it was not you, close this page: nothing will happen.</p>`,
  );
}

export function confirmedPage(): string {
  return publicPage('Request confirmed', '<p>Thank you. Your request is confirmed, and we will answer it within one month.</p>');
}

export function alreadyConfirmedPage(): string {
  return publicPage('Request already confirmed', '<p>This request was already confirmed. There is nothing more to do.</p>');
}

/** One page for every bad link (forged, altered, expired, unknown): it gives no hint which. */
export function invalidLinkPage(): string {
  return publicPage(
    'This link cannot be used',
    '<p>The link is incomplete or no longer valid (links work for 48 hours). If you still want to make the request, please make it ' +
      'again.</p>',
  );
}
