import { escapeHtml } from '../../lib/html.ts';
import type { Leaving } from './unsubscribe.service.ts';

/**
 * The pages behind a message's links: plain HTML that works without JavaScript, everything
 * interpolated escaped, nothing about the person (no address, no name). The same headers on
 * every page, the refusal's included, so a probe tells nothing from them.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // No scripts, no outside resources, no framing (the button must not be clickjacked); the form posts back here only.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  // The address holds the token: never send it on to another site.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

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

const CSS =
  'body{font:1.1rem/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1a1a1a;background:#fff}main{max-width:36rem;margin:auto}' +
  'button{font:inherit;padding:.6rem 1.2rem;border:2px solid #1a1a1a;border-radius:.3rem;background:#1a1a1a;color:#fff;cursor:pointer}' +
  'button:focus{outline:3px solid #0b5fff;outline-offset:2px}';

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

function what(l: Leaving): string {
  return l.kind === 'list'
    ? `You will be removed from the list “${escapeHtml(l.listName)}” and receive no more of its messages.`
    : `You will receive no more messages of this kind. Your consent is set to at most “${escapeHtml(l.levelName)}”.`;
}

/** The GET: what the button will do. The form posts to this same address, with the body RFC 8058 defines. */
export function confirmPage(l: Leaving): string {
  return page(
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
  return page(
    'You are unsubscribed',
    l.kind === 'list'
      ? `<p>You have left the list “${escapeHtml(l.listName)}”.</p>`
      : '<p>You will receive no more messages of this kind.</p>',
  );
}

/** One page for every bad link (forged, altered, expired, another kind's, or its mail's recipient erased): no hint which. */
export function invalidLinkPage(): string {
  return page('This link cannot be used', '<p>The link is incomplete or no longer valid.</p>');
}
