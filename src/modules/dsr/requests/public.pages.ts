import { escapeHtml } from '../../../lib/html.ts';
import { ASKED } from './requests.messages.ts';
import type { RequestType } from './requests.model.ts';

/**
 * The verification pages: plain HTML that works without JavaScript, with everything
 * interpolated escaped. They say nothing about the address or the person.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // No scripts, no outside resources, no framing (the confirm button must not be clickjacked),
  // and the form may only post back here.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  // The page's address holds the token: never send it on to another site.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

const CSS =
  'body{font:1.1rem/1.5 system-ui,sans-serif;margin:0;padding:2rem ' +
  '1rem;color:#1a1a1a;background:#fff}main{max-width:36rem;margin:auto}button{font:inherit;padding:.6rem 1.2rem;border:2px solid ' +
  '#1a1a1a;border-radius:.3rem;background:#1a1a1a;color:#fff;cursor:pointer}button:focus{outline:3px solid ' +
  '#0b5fff;outline-offset:2px}';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** The link's landing page: it only asks; the button's POST confirms. */
export function confirmPage(token: string, type: string): string {
  const asked = ASKED[type as RequestType] ?? 'a data request';
  return page(
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
  return page('Request confirmed', '<p>Thank you. Your request is confirmed, and we will answer it within one month.</p>');
}

export function alreadyConfirmedPage(): string {
  return page('Request already confirmed', '<p>This request was already confirmed. There is nothing more to do.</p>');
}

/** One page for every bad link (forged, altered, expired, unknown): it gives no hint which. */
export function invalidLinkPage(): string {
  return page(
    'This link cannot be used',
    '<p>The link is incomplete or no longer valid (links work for 48 hours). If you still want to make the request, please make it ' +
      'again.</p>',
  );
}
