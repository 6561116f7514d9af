import { QuoteType, Tokenizer } from 'htmlparser2';
import { escapeHtml } from '../../lib/html.ts';
import { clickToken, EMAIL_PUBLIC_PATH, linkBase, openUrl, urlHash } from './links.ts';

/**
 * Open pixel and click redirects, put into a rendered message only for a recipient the gate
 * allows `profiling` (the engine asks; children are refused there). Everything else in the HTML
 * is left byte for byte as it was: only the value of each tracked link's `href` is replaced, and
 * the pixel is inserted before `</body>`.
 *
 * The HTML is read with htmlparser2's tokenizer (a dependency of html-to-text and mailparser,
 * importable here), which follows the HTML tokenizer's rules: attributes in any quote style,
 * character references decoded as a browser decodes them in attributes, comments, `<script>`,
 * `<style>` and `<textarea>` content not read as tags. The URL a link leads to is its decoded
 * value parsed by WHATWG URL (as the browser does: spaces around it and tabs and line breaks in
 * it dropped, IDNs to punycode), and the click route redirects to exactly that.
 */

/** A link the click route may redirect to: its place in the HTML and where it leads. */
export interface TrackedLink {
  /** The raw attribute value's span in the HTML (inside the quotes, when quoted). */
  start: number;
  end: number;
  /** The URL as WHATWG URL serialises it: what the redirect sends the browser to. */
  url: string;
  /** urlHash(url), which its click token signs. */
  hash: string;
}

/** Elements whose `href` a person clicks. */
const LINK_ELEMENTS = new Set(['a', 'area']);
const WS = new Set([0x20, 0x0a, 0x09, 0x0c, 0x0d]);

/**
 * The http(s) links of a message in document order, those leading to our own public pages
 * (unsubscribe, view in browser, other signed links under `/public/`) left out: they carry their
 * own tokens, and leaving must never depend on a redirect. mailto:, tel:, fragments, relative
 * and other links are not tracked either. The click route derives the same list from the same
 * HTML, so a link's index here is its index there.
 */
export function trackedLinks(html: string, baseUrl: string): TrackedLink[] {
  return scan(html, baseUrl).links.slice();
}

interface Scan {
  links: TrackedLink[];
  bodyClose: number;
}

/**
 * The last document read: a campaign whose body is not personalised hands the same HTML for
 * every recipient, and then only the tokens are new. Per process and only a speed-up: the
 * result is a function of its inputs.
 */
let lastScan: { html: string; base: string; result: Scan } | null = null;

/** One pass of the tokenizer: the tracked links, and where the last `</body>` end tag begins (its `<`; -1 when none). */
function scan(html: string, baseUrl: string): Scan {
  if (lastScan && lastScan.html === html && lastScan.base === baseUrl) return lastScan.result;
  const result = scanOnce(html, baseUrl);
  lastScan = { html, base: baseUrl, result };
  return result;
}

function scanOnce(html: string, baseUrl: string): Scan {
  const own = `${linkBase(baseUrl)}/public/`;
  const links: TrackedLink[] = [];
  let bodyClose = -1;
  // Per open tag: whether it is a link element, and its first href (browsers ignore a repeated attribute).
  let isLink = false;
  let pending: TrackedLink | null = null;
  let hrefSeen = false;
  let inHref = false;
  let nameEnd = 0;
  let value = '';
  const tagEnd = () => {
    if (pending) links.push(pending);
    pending = null;
  };
  const none = () => {};
  const tokenizer = new Tokenizer(
    { decodeEntities: true },
    {
      onopentagname(start, end) {
        isLink = LINK_ELEMENTS.has(html.slice(start, end).toLowerCase());
        pending = null;
        hrefSeen = false;
      },
      onattribname(start, end) {
        inHref = isLink && !hrefSeen && end - start === 4 && html.slice(start, end).toLowerCase() === 'href';
        nameEnd = end;
        value = '';
      },
      onattribdata(start, end) {
        if (inHref) value += html.slice(start, end);
      },
      onattribentity(cp) {
        if (inHref) value += String.fromCodePoint(cp);
      },
      onattribend(quote, end) {
        if (!inHref) return;
        inHref = false;
        hrefSeen = true;
        if (quote === QuoteType.NoValue) return;
        const url = httpUrl(value);
        if (url === null || url.startsWith(own)) return;
        const quoted = quote === QuoteType.Single || quote === QuoteType.Double;
        pending = { start: valueStart(html, nameEnd), end: quoted ? end - 1 : end, url, hash: urlHash(url) };
      },
      onopentagend: tagEnd,
      onselfclosingtag: tagEnd,
      onclosetag(start, end) {
        // The `<` before the name (`</body`): the tokenizer read it as an end tag, so it is not in a comment or a script.
        if (end - start === 4 && html.slice(start, end).toLowerCase() === 'body') bodyClose = html.lastIndexOf('<', start);
      },
      ontext: none,
      ontextentity: none,
      oncdata: none,
      oncomment: none,
      ondeclaration: none,
      onprocessinginstruction: none,
      onend: none,
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  return { links, bodyClose };
}

/** Where an attribute's value begins: after the name, `=` and the opening quote, with whitespace around `=` skipped. */
function valueStart(html: string, nameEnd: number): number {
  let i = nameEnd;
  while (WS.has(html.charCodeAt(i))) i++;
  i++; // '='
  while (WS.has(html.charCodeAt(i))) i++;
  const c = html.charCodeAt(i);
  return c === 0x22 || c === 0x27 ? i + 1 : i;
}

/** The absolute http(s) URL a browser would follow for this attribute value, or null. */
export function httpUrl(value: string): string | null {
  if (!/^[\x00-\x20]*https?:/i.test(value)) return null;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '' ? u.href : null;
  } catch {
    return null;
  }
}

export interface DecorateOptions {
  sendId: string;
  /** The gate's answer for `profiling` (caller `tracking`): false leaves the HTML as it is. */
  track: boolean;
  baseUrl: string;
  /** The installation secret (SecretService.key()). */
  key: Buffer;
  now: Date;
}

/**
 * The message as sent to this recipient: with `track`, every tracked link (trackedLinks) goes
 * through `/public/v1/email/click/{token}` and a 1×1 pixel `/public/v1/email/open/{token}`
 * stands before the last `</body>` (at the end when there is none); without, the HTML unchanged.
 */
export function decorate(html: string, o: DecorateOptions): string {
  if (!o.track) return html;
  const base = linkBase(o.baseUrl);
  const { links, bodyClose } = scan(html, base);
  const pixelAt = bodyClose < 0 ? html.length : bodyClose;
  const pixel =
    `<img src="${escapeHtml(openUrl(base, o.key, o.sendId, o.now))}" width="1" height="1" alt="" ` +
    `style="display:block;width:1px;height:1px;border:0;margin:0;padding:0">`;
  const parts: string[] = [];
  let at = 0;
  let pixelDone = false;
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    if (!pixelDone && pixelAt < l.start) {
      parts.push(html.slice(at, pixelAt), pixel);
      at = pixelAt;
      pixelDone = true;
    }
    const token = clickToken(o.key, { sendId: o.sendId, index: i, urlHash: l.hash }, o.now);
    // Escaped for a base URL with a quote in its path; the rest is ASCII that is safe quoted or unquoted.
    parts.push(html.slice(at, l.start), escapeHtml(`${base}${EMAIL_PUBLIC_PATH}/click/${token}`));
    at = l.end;
  }
  if (!pixelDone) parts.push(html.slice(at, pixelAt), pixel, html.slice(pixelAt));
  else parts.push(html.slice(at));
  return parts.join('');
}
