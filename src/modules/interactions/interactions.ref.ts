/**
 * References that anonymous counters are keyed by. A counter has no contact, outlives every
 * erasure and is never scanned away, so what it holds must not be able to name anyone: a URL
 * keeps its scheme, host and path, and a path segment that looks like an identifier (an
 * address, a number long enough to be a phone or customer number, an id, a token) is replaced
 * by a marker saying what was there. Query and fragment never get this far.
 */

/** Separators a phone number or a formatted number may hold between its digits. */
const NUMBER_SEPARATORS = /[\s+().,/_-]/g;
/** Six digits in a row is where dates, years and versions end and numbers about someone begin. */
const LONG_NUMBER = /\d{6}/;
const UUID = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i;
const LONG_HEX = /[0-9a-f]{16}/i;
/** Base64 and base64url tokens: long runs mixing digits with both letter cases (slugs are lower-case words). */
const TOKEN_RUN = /[A-Za-z0-9+=_-]{16,}/g;

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The marker for an identifier-looking piece of text (`:email`, `:id`, `:token`, `:num`), or
 * null for an ordinary one. Shared by URL segments and custom event names.
 */
export function identifierMarker(text: string): string | null {
  const s = decoded(text);
  if (s.includes('@')) return ':email';
  if (UUID.test(s) || LONG_HEX.test(s)) return ':id';
  for (const run of s.match(TOKEN_RUN) ?? []) if (/\d/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run)) return ':token';
  if (LONG_NUMBER.test(s.replace(NUMBER_SEPARATORS, ''))) return ':num';
  return null;
}

/** An http(s) URL with a host, parsed; null for anything else. */
export function httpUrl(raw: string): URL | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname ? u : null;
}

/**
 * The counters' reference for a URL: `scheme://host[:port]/path` with identifier-looking segments replaced; null if it is no http(s) URL.
 */
export function refOfUrl(raw: string): string | null {
  const u = httpUrl(raw);
  if (!u) return null;
  const path = u.pathname
    .split('/')
    .map((seg) => (seg === '' ? seg : (identifierMarker(seg) ?? seg)))
    .join('/');
  return `${u.protocol}//${u.host}${path}`;
}

/**
 * A reference as a caller names it (a segment's behaviour condition, a stats filter): a URL is
 * turned into the reference it was counted under, anything else (ids, event names) is as given.
 */
export function refForMatching(ref: string): string {
  return /^https?:\/\//i.test(ref) ? (refOfUrl(ref) ?? ref) : ref;
}
