import { negotiate } from '../i18n/catalogue.ts';
import { type Organisation, tHtml } from '../i18n/identity.ts';
import { escapeHtml } from '../lib/html.ts';

/** What frames every public page: the language it speaks and the organisation it names. */
export interface PageShell {
  lang: string;
  organisation: Organisation;
}

/**
 * The language of a public page: the page's `?lang=` when it is one the catalogue has, else the
 * language of the contact the page is bound to (a signed link's person: never pass it on a page
 * anyone may open, whose answer must not differ by who an address belongs to), else the
 * browser's `Accept-Language`, else English.
 */
export function pageLanguage(
  req: { query?: unknown; headers: Record<string, string | string[] | undefined> },
  contactLanguage: string | null = null,
): string {
  const q = req.query as Record<string, unknown> | undefined;
  const header = req.headers['accept-language'];
  return negotiate({
    page: typeof q?.lang === 'string' ? q.lang : null,
    contact: contactLanguage,
    acceptLanguage: typeof header === 'string' ? header : null,
    fallback: 'en',
  });
}

export function pageShell(
  req: Parameters<typeof pageLanguage>[0],
  organisation: Organisation,
  contactLanguage: string | null = null,
): PageShell {
  return { lang: pageLanguage(req, contactLanguage), organisation };
}

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
  'button:focus,a:focus{outline:3px solid #0b5fff;outline-offset:2px}a{color:#0b4fd6}' +
  'footer{max-width:36rem;margin:3rem auto 0;padding-top:1rem;border-top:1px solid #ccc;font-size:.95rem;color:#333}';

/** Who provides the page, where to write, the privacy notice: each only when the organisation set it. */
function footer({ lang, organisation: o }: PageShell): string {
  const lines = [tHtml(lang, 'page.footer.by', { organisation: o.name })];
  if (o.contactEmail) {
    const mail = escapeHtml(o.contactEmail);
    lines.push(tHtml(lang, 'page.footer.contact', { email: { html: `<a href="mailto:${mail}">${mail}</a>` } }));
  }
  if (o.privacyNoticeUrl) lines.push(`<a href="${escapeHtml(o.privacyNoticeUrl)}">${tHtml(lang, 'page.footer.privacy')}</a>`);
  return `<footer>\n${lines.map((l) => `<p>${l}</p>`).join('\n')}\n</footer>`;
}

/**
 * A public page: plain HTML that works without JavaScript, readable on a phone, in the shell's
 * language and naming its organisation. The title is escaped here; `body` is HTML its caller
 * built with every interpolated value escaped. `referrer: 'same-origin'` is for a page whose
 * form posts back under an Origin check: with `no-referrer` a browser sends `Origin: null` on the
 * post. The page's headers must say the same (SAME_ORIGIN_PAGE_HEADERS).
 */
export function publicPage(shell: PageShell, title: string, body: string, opts: { referrer?: 'no-referrer' | 'same-origin' } = {}): string {
  return `<!doctype html>
<html lang="${escapeHtml(shell.lang)}">
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
${footer(shell)}
</body>
</html>
`;
}
