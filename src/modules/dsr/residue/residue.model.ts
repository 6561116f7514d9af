import { chunks } from '../../../lib/chunks.ts';
import { normaliseEmail } from '../../../lib/email.ts';
import { anchorRank as rankOf, ByteUnits, chooseAnchors, isDigit, MultiSearch, type Needle, TextUnits } from '../../../lib/multi-search.ts';

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
  for (const part of chunks(all, size)) {
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
 * Both matchers below are the one multi-needle search of src/lib/multi-search.ts, over bytes and
 * over text; they differ only in the needles they make and in what they report.
 */

/** Beyond this many anchor-less digit needles, one loop over the haystack beats indexOf per needle. */
const PLAIN_DIGIT_NEEDLES = 4;

/**
 * Searches raw bytes (database files, statistics samples) for the identifiers: addresses and
 * names in any ASCII casing, a phone number as stored and as bare digits. Live values are also
 * matched by the SQL scan in any phone formatting; the bytes are searched for what erasure could
 * leave behind, values as they were stored.
 */
export class ByteMatcher {
  private readonly search: MultiSearch;
  /** Searched as they are with indexOf: a few digit needles, and case forms of a needle without an anchor. */
  private readonly plain: Buffer[] = [];
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
    const indexed = digitNeedles.length > PLAIN_DIGIT_NEEDLES;
    if (!indexed) for (const n of digitNeedles) this.plain.push(n.codes as Buffer);
    // Bytes are searched for values as they were stored: digits in runs of digits alone.
    this.search = new MultiSearch(anchored, indexed ? digitNeedles : []);
    this.overlap = Math.max(0, ...[...anchored, ...digitNeedles].map((n) => n.codes.length), ...this.plain.map((b) => b.length));
  }

  get empty(): boolean {
    return this.search.empty && this.plain.length === 0;
  }

  matches(bytes: Uint8Array): boolean {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const n of this.plain) if (buf.indexOf(n) >= 0) return true;
    return this.search.search(new ByteUnits(buf), () => true);
  }
}

const title = (s: string) => s.replace(/(^|[\s.-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());

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
  private readonly search: MultiSearch;
  private readonly plainText: { folded: string; term: string }[] = [];
  private readonly exactText: string[];
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
    // Shorter digit terms are never made (searchTerms drops them).
    const digitNeedles = t.digits
      .filter((d) => d.length >= MIN_PHONE_DIGITS)
      .map((d) => ({ codes: Array.from(d, (c) => c.charCodeAt(0)), at: -1, id: this.terms.push(d) - 1 }));
    // In text, a number's digits are looked for with the phone separators between them.
    this.search = new MultiSearch(anchored, digitNeedles, PHONE_SEPARATORS);
  }

  /** Adds to `found` every term that `chunk` holds (and possibly a few it does not). */
  scan(chunk: string, found: Set<string>): void {
    // Lower-casing changes letters only: digits and separators, and so the digit runs, stay as they were.
    const lower = chunk.toLowerCase();
    for (const { folded, term } of this.plainText) if (lower.includes(folded)) found.add(term);
    if (this.exactText.length) {
      const ascii = asciiLower(chunk);
      for (const term of this.exactText) if (ascii.includes(term)) found.add(term);
    }
    this.search.search(new TextUnits(lower), (id) => {
      found.add(this.terms[id]!);
      return false;
    });
  }
}
