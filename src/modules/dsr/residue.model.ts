import { normaliseEmail } from '../../lib/email.ts';

/**
 * What identifies a person to the residue scan. Held in memory only while an erasure and its
 * scan run: never written to a table, a job payload or a log.
 */
export interface Identifiers {
  emails: string[];
  /** As stored (trimmed); the scan compares their digits (at least MIN_PHONE_DIGITS of them). */
  phones: string[];
  /** "First Last" as one string, whitespace collapsed. */
  names: string[];
}

export const MIN_PHONE_DIGITS = 6;
// A full name shorter than this ("Al Li") matches too much unrelated text to be a useful signal.
export const MIN_NAME_LENGTH = 5;

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
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
}

export function identifiersOf(p: PersonRow): Identifiers {
  const out: Identifiers = { emails: [], phones: [], names: [] };
  if (p.email) out.emails.push(normaliseEmail(p.email));
  if (p.phone && phoneDigits(p.phone.trim()).length >= MIN_PHONE_DIGITS) out.phones.push(p.phone.trim());
  const first = p.first_name?.trim().replace(/\s+/g, ' ');
  const last = p.last_name?.trim().replace(/\s+/g, ' ');
  if (first && last && first.length + last.length + 1 >= MIN_NAME_LENGTH) out.names.push(`${first} ${last}`);
  return out;
}

export function mergeIdentifiers(list: Identifiers[]): Identifiers {
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    emails: uniq(list.flatMap((i) => i.emails)),
    phones: uniq(list.flatMap((i) => i.phones)),
    names: uniq(list.flatMap((i) => i.names)),
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
    out.push({ text: part.filter(([k]) => k === 'text').map(([, x]) => x), digits: part.filter(([k]) => k === 'digits').map(([, x]) => x) });
  }
  return out;
}

const title = (s: string) => s.replace(/(^|[\s.-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());

/**
 * Searches raw bytes (database files, statistics samples) for the identifiers with native
 * Buffer.indexOf, in the forms a value is written in: as stored, lower case, upper case and
 * capitalised; a phone also as bare digits and with a leading +. Folding the bytes instead would
 * match any casing, but a JavaScript loop over a database file costs far more than these
 * searches, and this runs after every erasure. Live values are matched in any casing and any
 * phone formatting by the SQL scan; the bytes are searched for what erasure leaves behind,
 * which is values as they were stored.
 */
export class ByteMatcher {
  private readonly needles: Buffer[];
  /** Bytes a chunked reader must overlap so a form across a chunk border is still seen. */
  readonly overlap: number;

  constructor(ids: Identifiers) {
    const forms = new Set<string>();
    for (const t of [...ids.emails, ...ids.names]) for (const f of [t, asciiLower(t), t.toUpperCase(), title(asciiLower(t))]) forms.add(f);
    for (const p of ids.phones) {
      const d = phoneDigits(p);
      if (d.length < MIN_PHONE_DIGITS) continue;
      for (const f of [p, d, `+${d}`]) forms.add(f);
    }
    this.needles = [...forms].filter((f) => f.length > 0).map((f) => Buffer.from(f, 'utf8'));
    this.overlap = Math.max(0, ...this.needles.map((n) => n.length));
  }

  get empty(): boolean {
    return this.needles.length === 0;
  }

  matches(bytes: Uint8Array): boolean {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.needles.some((n) => buf.indexOf(n) >= 0);
  }
}
