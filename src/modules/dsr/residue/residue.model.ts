import { normaliseEmail } from '../../../lib/email.ts';

/**
 * What identifies a person to the residue scan. Held in memory only while an erasure and its
 * scan run: never written to a table, a job payload or a log.
 */
export interface Identifiers {
  emails: string[];
  /** As stored (trimmed); the scan compares their digits (at least MIN_PHONE_DIGITS of them). */
  phones: string[];
  /**
   * The full name as people write it: "First Last", "Last First" and "Last, First", whitespace
   * collapsed. Strong evidence, searched everywhere.
   */
  names: string[];
  /**
   * The first and the last name alone. Weak evidence: other people share them, so they are
   * looked for only in free-text columns of the data map, where a hit asks a person to look
   * (a review task) and proves nothing; in the person's own case rows they are redacted.
   */
  weak?: string[];
  /**
   * The erased contacts' ids. A row written about a person after the erasure (a ledger entry)
   * names them by id, not by address: the scan looks for the ids where ids are kept (columns
   * that hold contact ids) and in free text, not in every column (the audit log keeps the ids
   * of the records it names, which link to nobody once the person is gone).
   */
  contactIds?: string[];
}

export const MIN_PHONE_DIGITS = 6;
// A full name shorter than this ("Al Li") matches too much unrelated text to be a useful signal.
export const MIN_NAME_LENGTH = 5;
// A name part shorter than this ("Al", "Li") is a word in too many texts even as a whole word.
export const MIN_WEAK_NAME_LENGTH = 3;

/** The separators a stored phone number may contain (contacts.model's PHONE rule). */
export const PHONE_SEPARATORS = [' ', '+', '(', ')', '.', '/', '-'] as const;

/**
 * Lower-cases A-Z only. SQLite's lower() and PostgreSQL's lower() under the "C" collation fold
 * ASCII alone, so the terms must be folded the same way or a name like "Ölaf" would never match.
 */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export function phoneDigits(phone: string): string {
  let s = phone;
  for (const c of PHONE_SEPARATORS) s = s.split(c).join('');
  return s;
}

export interface PersonRow {
  /** The contact's id, when the row is a contact's. */
  id?: string | null;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
}

export function identifiersOf(p: PersonRow): Identifiers {
  const out: Identifiers = { emails: [], phones: [], names: [], weak: [], contactIds: p.id ? [p.id] : [] };
  if (p.email) out.emails.push(normaliseEmail(p.email));
  if (p.phone && phoneDigits(p.phone.trim()).length >= MIN_PHONE_DIGITS) out.phones.push(p.phone.trim());
  const first = p.first_name?.trim().replace(/\s+/g, ' ');
  const last = p.last_name?.trim().replace(/\s+/g, ' ');
  if (first && last && first.length + last.length + 1 >= MIN_NAME_LENGTH) out.names.push(...nameForms(first, last));
  for (const part of [first, last]) if (part && part.length >= MIN_WEAK_NAME_LENGTH) out.weak!.push(part);
  return out;
}

/** The ways a full name is written: given name first, family name first, and "Family, Given". */
export function nameForms(first: string, last: string): string[] {
  return [`${first} ${last}`, `${last} ${first}`, `${last}, ${first}`];
}

export function mergeIdentifiers(list: Identifiers[]): Identifiers {
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    emails: uniq(list.flatMap((i) => i.emails)),
    phones: uniq(list.flatMap((i) => i.phones)),
    names: uniq(list.flatMap((i) => i.names)),
    weak: uniq(list.flatMap((i) => i.weak ?? [])),
    contactIds: uniq(list.flatMap((i) => i.contactIds ?? [])),
  };
}

/**
 * The strings searched for. `text` terms are matched case-insensitively (ASCII) against each
 * value; `digits` terms against the value with the phone separators removed, so
 * "+49 151 2345 6789" and "0049-151-23456789" both contain "4915123456789".
 */
export interface SearchTerms {
  text: string[];
  digits: string[];
}

export function searchTerms(ids: Identifiers): SearchTerms {
  return {
    text: [...new Set([...ids.emails, ...ids.names].map(asciiLower))],
    digits: [...new Set(ids.phones.map(phoneDigits).filter((d) => d.length >= MIN_PHONE_DIGITS))],
  };
}

export function isEmpty(t: SearchTerms): boolean {
  return t.text.length === 0 && t.digits.length === 0;
}

/** Terms per statement: a person has three or four; a bulk batch's terms are split into passes. */
export const TERMS_PER_PASS = 48;

export function passes(t: SearchTerms, size = TERMS_PER_PASS): SearchTerms[] {
  const out: SearchTerms[] = [];
  const all = [...t.text.map((x) => ['text', x] as const), ...t.digits.map((x) => ['digits', x] as const)];
  for (let i = 0; i < all.length; i += size) {
    const part = all.slice(i, i + size);
    out.push({
      text: part.filter(([k]) => k === 'text').map(([, x]) => x),
      digits: part.filter(([k]) => k === 'digits').map(([, x]) => x),
    });
  }
  return out;
}

// ---------------------------------------------------------------- patterns for SQL

/** LIKE patterns use `\` as the escape character (PostgreSQL's default; SQLite is told so). */
export const likeEscape = (t: string) => t.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A case-sensitive LIKE pattern that every value holding `term` in any ASCII casing matches: from
 * the term's rarest character that case folding leaves alone ('@', a space, a digit) on, those
 * characters as they are and each letter as `_` (any one character). It starts with a literal,
 * so LIKE looks only where that character occurs. PostgreSQL tests it far faster than it folds
 * every row's text, and folds only the rows that pass.
 */
export function caseFreePattern(term: string): string {
  const codes = Array.from({ length: term.length }, (_, i) => term.charCodeAt(i));
  const letter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  let from = codes.findIndex((c) => !letter(c) && !isDigit(c));
  const ranked = codes.map((c, i) => [rankOf(c), i] as const).filter(([, i]) => !letter(codes[i]!) && !isDigit(codes[i]!));
  if (ranked.length) from = ranked.sort((a, b) => a[0] - b[0] || a[1] - b[1])[0]![1];
  else from = Math.max(0, codes.findIndex(isDigit));
  let out = '%';
  for (let i = from; i < term.length; i++) out += letter(codes[i]!) ? '_' : likeEscape(term[i]!);
  return `${out}%`;
}

/** A LIKE pattern every value whose digits (separators removed) contain `digits` matches: the digits in order. */
export const digitsInOrderPattern = (digits: string) => `%${digits.split('').join('%')}%`;

/** The exact test, for values already in memory: what the SQL scan asks of each value. */
export function valueHolds(value: string, t: SearchTerms): string[] {
  const lower = asciiLower(value);
  const digits = t.digits.length ? phoneDigits(value) : '';
  return [...t.text.filter((x) => lower.includes(x)), ...t.digits.filter((d) => digits.includes(d))];
}

// ---------------------------------------------------------------- matching in memory

/*
 * Both matchers below find many needles in one pass with native searches: each needle is
 * anchored at a character that case folding leaves alone and that stored data holds rarely
 * ('@' in an address, the space in a full name, '+' in a phone number); every occurrence of an
 * anchor in the haystack (found by indexOf, a memchr) is checked against the needles anchored
 * there by a hash of the characters around it, and only hash hits are compared in full. A
 * needle of digits alone has no such character: a few are searched with indexOf, many by the
 * runs of digits they could lie in, keyed by their last eight digits (see digitsInBytes).
 */

const ANCHOR_RANK = new Map([...'@+()/ _.-'].map((c, i) => [c.charCodeAt(0), i] as const));
const isAsciiAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
/** Beyond this many anchor-less digit needles, one loop over the haystack beats indexOf per needle. */
const PLAIN_DIGIT_NEEDLES = 4;
/** Digits a digit needle is keyed by: eight (four bits each fill a 32-bit key), fewer for a shorter needle. */
const DIGIT_KEY = 8;
const HASH = 31;
const FWD_MAX = 24;

const rankOf = (c: number) => ANCHOR_RANK.get(c) ?? ANCHOR_RANK.size;

/**
 * Where each needle is anchored (-1: no character fit, letters and digits only). Every distinct
 * anchor costs a pass over the haystack, so a needle takes an anchor another needle already has
 * when it can (a phone number's space, like a full name's), else its rarest one.
 */
function chooseAnchors(needles: ArrayLike<number>[]): number[] {
  const candidates = needles.map((codes) => {
    const at = new Map<number, number>();
    for (let i = 0; i < codes.length; i++) if (!isAsciiAlnum(codes[i]!) && !at.has(codes[i]!)) at.set(codes[i]!, i);
    return [...at].sort(([a], [b]) => rankOf(a) - rankOf(b));
  });
  const chosen = new Set<number>();
  const out = needles.map(() => -1);
  // Needles with the fewest choices decide first.
  for (const i of needles.map((_, i) => i).sort((a, b) => candidates[a]!.length - candidates[b]!.length)) {
    const c = candidates[i]!;
    if (c.length === 0) continue;
    const [anchor, at] = c.find(([a]) => chosen.has(a)) ?? c[0]!;
    chosen.add(anchor);
    out[i] = at;
  }
  return out;
}

const mix = (back: number, k: number, fwd: number) => (Math.imul(back ^ Math.imul(k + 1, 0x27d4eb2d), 0x9e3779b1) ^ fwd) | 0;

interface Needle {
  /** Folded code units (bytes, or UTF-16 units). */
  codes: ArrayLike<number>;
  /** Where the anchor sits in the needle. */
  at: number;
  id: number;
}

/**
 * The needles anchored at one character, indexed by a hash of the characters around it: the
 * `at` characters before the anchor, and after it as many as every needle with that `at` has
 * (up to FWD_MAX), so needles that share a long start ("+49 30 1000…") still get their own keys.
 */
class AnchorGroup {
  readonly maxBack: number;
  /** Per `at`: how many characters from the anchor on its key covers (0: no needle has that `at`). */
  readonly fwdAt: Int32Array;
  readonly maxFwd: number;
  readonly byKey = new Map<number, Needle[]>();

  constructor(
    readonly anchor: number,
    needles: Needle[],
  ) {
    this.maxBack = Math.max(...needles.map((n) => n.at));
    this.fwdAt = new Int32Array(this.maxBack + 1);
    for (const n of needles) {
      const f = Math.min(FWD_MAX, n.codes.length - n.at);
      this.fwdAt[n.at] = this.fwdAt[n.at] === 0 ? f : Math.min(this.fwdAt[n.at]!, f);
    }
    this.maxFwd = Math.max(...this.fwdAt);
    for (const n of needles) {
      let back = 0;
      for (let k = 1; k <= n.at; k++) back = (Math.imul(back, HASH) + n.codes[n.at - k]!) | 0;
      let fwd = 0;
      for (let j = 0; j < this.fwdAt[n.at]!; j++) fwd = (Math.imul(fwd, HASH) + n.codes[n.at + j]!) | 0;
      const key = mix(back, n.at, fwd);
      const list = this.byKey.get(key);
      if (list) list.push(n);
      else this.byKey.set(key, [n]);
    }
  }
}

function groupByAnchor(needles: Needle[]): AnchorGroup[] {
  const by = new Map<number, Needle[]>();
  for (const n of needles) {
    const a = n.codes[n.at]!;
    const list = by.get(a);
    if (list) list.push(n);
    else by.set(a, [n]);
  }
  // Rarest anchors first: a match is usually found, or ruled out, in the cheap passes.
  return [...by].sort(([a], [b]) => (ANCHOR_RANK.get(a) ?? 99) - (ANCHOR_RANK.get(b) ?? 99)).map(([a, ns]) => new AnchorGroup(a, ns));
}

/**
 * Needles of digits only, keyed by their last digits (up to eight, four bits each, so the key of
 * the digits just read is one shift and mask per digit), with a bit per hashed key to rule out
 * almost every position at the cost of one memory read. Eight digits rather than six keep the
 * zero-padded numbers that fill a database (ids, counters) from resembling a phone's tail.
 */
class DigitIndex {
  readonly bits = new Uint8Array(1 << (DIGIT_BITS - 3));
  readonly byKey = new Map<number, Needle[]>();
  /** Digits per key: DIGIT_KEY, or the shortest needle's length. */
  readonly len: number;
  readonly mask: number;
  /** The shortest needle's length: a run of fewer digits holds none (phone numbers have ten or more). */
  readonly shortest: number;

  constructor(needles: Needle[]) {
    this.shortest = Math.min(...needles.map((n) => n.codes.length));
    this.len = Math.min(DIGIT_KEY, this.shortest);
    this.mask = this.len >= 8 ? -1 : (1 << (4 * this.len)) - 1;
    for (const n of needles) {
      let key = 0;
      for (let j = n.codes.length - this.len; j < n.codes.length; j++) key = ((key << 4) | (n.codes[j]! - 48)) & this.mask;
      const bit = digitBit(key);
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
      const list = this.byKey.get(key);
      if (list) list.push(n);
      else this.byKey.set(key, [n]);
    }
  }
}

const DIGIT_BITS = 20;
const digitBit = (key: number) => Math.imul(key, 0x9e3779b1) >>> (32 - DIGIT_BITS);

const FOLD = new Uint8Array(256).map((_, b) => (b >= 65 && b <= 90 ? b + 32 : b));

/**
 * Searches raw bytes (database files, statistics samples) for the identifiers: addresses and
 * names in any ASCII casing, a phone number as stored and as bare digits. Live values are also
 * matched by the SQL scan in any phone formatting; the bytes are searched for what erasure could
 * leave behind, values as they were stored.
 */
export class ByteMatcher {
  private readonly groups: AnchorGroup[];
  /** Searched as they are with indexOf: a few digit needles, and case forms of a needle without an anchor. */
  private readonly plain: Buffer[] = [];
  private readonly digits: DigitIndex | null = null;
  /** Bytes a chunked reader must overlap so a needle across a chunk border is still seen. */
  readonly overlap: number;

  constructor(ids: Identifiers) {
    const forms = new Set<string>();
    for (const t of [...ids.emails, ...ids.names]) forms.add(asciiLower(t));
    for (const p of ids.phones) {
      const d = phoneDigits(p);
      if (d.length < MIN_PHONE_DIGITS) continue;
      forms.add(asciiLower(p));
      forms.add(d);
    }
    const anchored: Needle[] = [];
    const digitNeedles: Needle[] = [];
    const all = [...forms].filter((f) => f.length > 0).map((f) => Buffer.from(f, 'utf8'));
    const anchors = chooseAnchors(all);
    let id = 0;
    for (const [i, codes] of all.entries()) {
      const f = codes.toString('utf8');
      const at = anchors[i]!;
      if (at >= 0) anchored.push({ codes, at, id: id++ });
      else if (codes.every(isDigit) && codes.length >= MIN_PHONE_DIGITS) digitNeedles.push({ codes, at: -1, id: id++ });
      // Letters and digits only (not an address, a full name or a formatted number): its case forms.
      else for (const v of new Set([f, f.toUpperCase(), title(f)])) this.plain.push(Buffer.from(v, 'utf8'));
    }
    if (digitNeedles.length > PLAIN_DIGIT_NEEDLES) this.digits = new DigitIndex(digitNeedles);
    else for (const n of digitNeedles) this.plain.push(n.codes as Buffer);
    this.groups = groupByAnchor(anchored);
    this.overlap = Math.max(0, ...[...anchored, ...digitNeedles].map((n) => n.codes.length), ...this.plain.map((b) => b.length));
  }

  get empty(): boolean {
    return this.groups.length === 0 && this.plain.length === 0 && this.digits === null;
  }

  matches(bytes: Uint8Array): boolean {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const n of this.plain) if (buf.indexOf(n) >= 0) return true;
    for (const g of this.groups) if (anchoredBytes(buf, g)) return true;
    return this.digits !== null && digitsInBytes(buf, this.digits);
  }
}

const title = (s: string) => s.replace(/(^|[\s.-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());

function anchoredBytes(buf: Buffer, g: AnchorGroup): boolean {
  const end = buf.length;
  const { anchor, fwdAt, maxFwd, maxBack, byKey } = g;
  // fwds[j]: the hash of the j characters from the anchor on.
  const fwds = new Int32Array(maxFwd + 1);
  for (let p = buf.indexOf(anchor); p >= 0; p = p + 1 < end ? buf.indexOf(anchor, p + 1) : -1) {
    const reach = Math.min(maxFwd, end - p);
    for (let j = 0; j < reach; j++) fwds[j + 1] = (Math.imul(fwds[j]!, HASH) + FOLD[buf[p + j]!]!) | 0;
    let back = 0;
    for (let k = 0; k <= maxBack && k <= p; k++) {
      if (k > 0) back = (Math.imul(back, HASH) + FOLD[buf[p - k]!]!) | 0;
      const f = fwdAt[k]!;
      if (f === 0 || f > reach) continue;
      const list = byKey.get(mix(back, k, fwds[f]!));
      if (list) for (const n of list) if (bytesAt(buf, p - k, n.codes)) return true;
    }
  }
  return false;
}

function bytesAt(buf: Buffer, start: number, codes: ArrayLike<number>): boolean {
  if (start + codes.length > buf.length) return false;
  for (let j = 0; j < codes.length; j++) if (FOLD[buf[start + j]!] !== codes[j]) return false;
  return true;
}

/*
 * Digit needles are searched in runs: a needle lies in a run of at least as many digits as the
 * shortest needle has (bytes), or of digits and phone separators holding that many digits (text).
 * Such a run covers one of every `shortest`-th position, so only those are looked at, and a run
 * found there is counted, and keyed only when long enough. Ids, dates and counters make runs too
 * short for a phone number; a JavaScript loop costs per character it visits.
 */

function digitsInBytes(buf: Buffer, idx: DigitIndex): boolean {
  const step = idx.shortest;
  const end = buf.length;
  // Bytes before `done` belong to runs already looked at (or to none).
  let done = 0;
  for (let i = step - 1; i < end; ) {
    if ((buf[i]! - 48) >>> 0 > 9) {
      i += step;
      continue;
    }
    let s = i;
    while (s > done && (buf[s - 1]! - 48) >>> 0 <= 9) s--;
    let e = i + 1;
    while (e < end && (buf[e]! - 48) >>> 0 <= 9) e++;
    if (e - s >= step && digitRunInBytes(buf, s, e, idx)) return true;
    done = e;
    i = e + step;
  }
  return false;
}

/** Keys every `len` digits of the run [s, e) ends with, and compares the needles a key names. */
function digitRunInBytes(buf: Buffer, s: number, e: number, idx: DigitIndex): boolean {
  const { bits, byKey, len, mask } = idx;
  let key = 0;
  for (let i = s; i < e; i++) {
    key = ((key << 4) | (buf[i]! - 48)) & mask;
    const run = i + 1 - s;
    if (run < len) continue;
    const bit = digitBit(key);
    if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) continue;
    const list = byKey.get(key);
    if (list) for (const n of list) if (run >= n.codes.length && bytesAt(buf, i + 1 - n.codes.length, n.codes)) return true;
  }
  return false;
}

/** Unicode's one context-dependent lower-case mapping (final sigma): a term holding it is searched exactly. */
const CONTEXTUAL = /\u03a3/;

/**
 * Finds search terms in text held in memory (values streamed out of the database, statistics),
 * many terms at once, with the scan's semantics: text terms in any ASCII casing, digit terms in
 * the digits of a value with the phone separators skipped. `chunk` holds whole values separated
 * by control characters. It may report a term that a stricter test would not (a non-ASCII
 * letter folded); it never misses one, so callers confirm what it reports.
 */
export class TextMatcher {
  private readonly groups: AnchorGroup[];
  private readonly plainText: { folded: string; term: string }[] = [];
  private readonly exactText: string[];
  private readonly digits: DigitIndex | null;
  private readonly terms: string[] = [];

  constructor(t: SearchTerms) {
    const anchored: Needle[] = [];
    // The chunk is folded with toLowerCase (native, fast); the terms alike, so what the ASCII
    // folding of the scan matches is matched here too.
    const folded = t.text.filter((term) => !CONTEXTUAL.test(term)).map((term) => ({ term, folded: term.toLowerCase() }));
    this.exactText = t.text.filter((term) => CONTEXTUAL.test(term));
    const codes = folded.map((f) => Array.from({ length: f.folded.length }, (_, i) => f.folded.charCodeAt(i)));
    const anchors = chooseAnchors(codes);
    for (const [i, f] of folded.entries()) {
      if (anchors[i]! >= 0) anchored.push({ codes: codes[i]!, at: anchors[i]!, id: this.terms.push(f.term) - 1 });
      else this.plainText.push(f);
    }
    const digitNeedles = t.digits
      .filter((d) => d.length >= MIN_PHONE_DIGITS)
      .map((d) => ({ codes: Array.from(d, (c) => c.charCodeAt(0)), at: -1, id: this.terms.push(d) - 1 }));
    // Shorter digit terms are never made (searchTerms drops them).
    this.digits = digitNeedles.length ? new DigitIndex(digitNeedles) : null;
    this.groups = groupByAnchor(anchored);
  }

  /** Adds to `found` every term that `chunk` holds (and possibly a few it does not). */
  scan(chunk: string, found: Set<string>): void {
    const lower = chunk.toLowerCase();
    for (const { folded, term } of this.plainText) if (lower.includes(folded)) found.add(term);
    if (this.exactText.length) {
      const ascii = asciiLower(chunk);
      for (const term of this.exactText) if (ascii.includes(term)) found.add(term);
    }
    for (const g of this.groups) this.anchoredText(lower, g, found);
    if (this.digits) this.digitsInText(chunk, this.digits, found);
  }

  private anchoredText(s: string, g: AnchorGroup, found: Set<string>): void {
    const end = s.length;
    const { fwdAt, maxFwd, maxBack, byKey } = g;
    const anchor = String.fromCharCode(g.anchor);
    const fwds = new Int32Array(maxFwd + 1);
    for (let p = s.indexOf(anchor); p >= 0; p = s.indexOf(anchor, p + 1)) {
      const reach = Math.min(maxFwd, end - p);
      for (let j = 0; j < reach; j++) fwds[j + 1] = (Math.imul(fwds[j]!, HASH) + s.charCodeAt(p + j)) | 0;
      let back = 0;
      for (let k = 0; k <= maxBack && k <= p; k++) {
        if (k > 0) back = (Math.imul(back, HASH) + s.charCodeAt(p - k)) | 0;
        const f = fwdAt[k]!;
        if (f === 0 || f > reach) continue;
        const list = byKey.get(mix(back, k, fwds[f]!));
        if (list) for (const n of list) if (codesAt(s, p - k, n.codes)) found.add(this.terms[n.id]!);
      }
    }
  }

  private digitsInText(s: string, idx: DigitIndex, found: Set<string>): void {
    const step = idx.shortest;
    const end = s.length;
    let done = 0;
    for (let i = step - 1; i < end; ) {
      if (!inDigitRun(s.charCodeAt(i))) {
        i += step;
        continue;
      }
      let digits = isDigitCode(s.charCodeAt(i)) ? 1 : 0;
      let a = i;
      for (let c = s.charCodeAt(a - 1); a > done && inDigitRun(c); c = s.charCodeAt(--a - 1)) digits += isDigitCode(c) ? 1 : 0;
      let e = i + 1;
      for (let c = s.charCodeAt(e); e < end && inDigitRun(c); c = s.charCodeAt(++e)) digits += isDigitCode(c) ? 1 : 0;
      if (digits >= step) this.digitRunInText(s, a, e, idx, found);
      done = e;
      i = e + step;
    }
  }

  /** The run [a, e) of digits and separators: keys its digits, separators skipped. */
  private digitRunInText(s: string, a: number, e: number, idx: DigitIndex, found: Set<string>): void {
    const { bits, byKey, len, mask } = idx;
    let key = 0;
    let run = 0;
    for (let i = a; i < e; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d >>> 0 > 9) continue;
      key = ((key << 4) | d) & mask;
      if (++run < len) continue;
      const bit = digitBit(key);
      if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) continue;
      const list = byKey.get(key);
      if (list) for (const n of list) if (run >= n.codes.length && digitsEndingAt(s, i, n.codes)) found.add(this.terms[n.id]!);
    }
  }
}

const SEPARATOR = new Uint8Array(128);
for (const c of PHONE_SEPARATORS) SEPARATOR[c.charCodeAt(0)] = 1;
const isDigitCode = (c: number) => (c - 48) >>> 0 <= 9;
/** A digit or a phone separator: what a run of a phone number's digits is made of. */
const inDigitRun = (c: number) => isDigitCode(c) || (c < 128 && SEPARATOR[c] === 1);

function codesAt(s: string, start: number, codes: ArrayLike<number>): boolean {
  if (start + codes.length > s.length) return false;
  for (let j = 0; j < codes.length; j++) if (s.charCodeAt(start + j) !== codes[j]) return false;
  return true;
}

/** Whether the digits of `s` up to `end`, separators skipped, end with `codes`. */
function digitsEndingAt(s: string, end: number, codes: ArrayLike<number>): boolean {
  let j = codes.length - 1;
  for (let i = end; j >= 0 && i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== codes[j]) return false;
      j--;
    } else if (c > 127 || SEPARATOR[c] === 0) return false;
  }
  return j < 0;
}
