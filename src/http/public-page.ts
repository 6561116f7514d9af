import { escapeHtml } from '../lib/html.ts';

/**
 * The headers of every public page behind a link (a data request's verification, a message's
 * unsubscribe page, their refusals): the same on every page, so a probe tells nothing from them.
 */
export const PUBLIC_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // No scripts, no outside resources, no framing (a button must not be clickjacked); forms post back here only.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  // The page's address holds a token: never send it on to another site.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

/** The headers of a public page whose form posts back and is checked by origin (see publicPage). */
export const SAME_ORIGIN_PAGE_HEADERS = { ...PUBLIC_PAGE_HEADERS, 'referrer-policy': 'same-origin' } as const;

const CSS =
  'body{font:1.1rem/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1a1a1a;background:#fff}main{max-width:36rem;margin:auto}' +
  'button{font:inherit;padding:.6rem 1.2rem;border:2px solid #1a1a1a;border-radius:.3rem;background:#1a1a1a;color:#fff;cursor:pointer}' +
  'button:focus{outline:3px solid #0b5fff;outline-offset:2px}';

/**
 * A public page: plain HTML that works without JavaScript, readable on a phone. The title is
 * escaped here; `body` is HTML its caller built with every interpolated value escaped.
 * `referrer: 'same-origin'` is for a page whose form posts back under an Origin check: with
 * `no-referrer` a browser sends `Origin: null` on the post. The page's headers must say the same
 * (SAME_ORIGIN_PAGE_HEADERS).
 */
export function publicPage(title: string, body: string, opts: { referrer?: 'no-referrer' | 'same-origin' } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="${opts.referrer ?? 'no-referrer'}">
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
