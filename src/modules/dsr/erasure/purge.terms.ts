import { createHmac } from 'node:crypto';
import { asciiLower, MIN_PHONE_DIGITS, phoneDigits } from '../residue/residue.model.ts';

/*
 * The storage purge runs after the erasure, in a job, when the person's identifiers are gone
 * from the database and from memory. To look for them in the rewritten pages it keeps, until
 * then, keyed fingerprints only: per identifier its length, a rolling hash with a base derived
 * from the installation secret (a fast first test for each window of bytes), and an HMAC under
 * the secret (the proof). Without the secret neither can be tested against a guess, as with a
 * suppression's hash of an address.
 *
 * Identifiers searched: the person's addresses (as written and as keys) and phone numbers as
 * stored, ASCII case folded like the residue scan. Names are not: another person's equal name
 * in the same pages would read as residue.
 */

/** A prime below 2^24: products of two residues stay exact in a double. */
const P = 16_777_213;

export interface Term {
  length: number;
  prefilter: number;
  digest: string;
}

function base(key: Buffer): number {
  return 256 + (createHmac('sha256', key).update('storage-purge:rolling-base').digest().readUInt32BE(0) % (P - 256));
}

function digestOf(key: Buffer, bytes: Buffer): string {
  return createHmac('sha256', key).update('storage-purge:term:').update(bytes).digest('hex');
}

function fold(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}

function rolling(bytes: Buffer, b: number): number {
  let h = 0;
  for (const x of bytes) h = (h * b + fold(x)) % P;
  return h;
}

/** The strings the purge looks for in pages: addresses and phone numbers (at least MIN_PHONE_DIGITS digits). */
export function purgeStrings(ids: { emails: string[]; phones: string[] }): string[] {
  const phones = ids.phones.map((p) => p.trim()).filter((p) => phoneDigits(p).length >= MIN_PHONE_DIGITS);
  return [...new Set([...ids.emails, ...phones].map(asciiLower))].filter((s) => s.length > 0);
}

export function termsOf(key: Buffer, strings: string[]): Term[] {
  const b = base(key);
  const out = new Map<string, Term>();
  for (const s of strings) {
    const bytes = Buffer.from(asciiLower(s));
    const t = { length: bytes.length, prefilter: rolling(bytes, b), digest: digestOf(key, bytes) };
    out.set(t.digest, t);
  }
  return [...out.values()];
}

/**
 * Finds windows of bytes whose fingerprint is a term's: per term length one rolling pass over
 * the ASCII-folded bytes, an HMAC only where the rolling hash agrees. Returns the digests found.
 * A value split across two stored chunks (a long value moved to TOAST) or compressed is not seen.
 */
export class PageMatcher {
  private readonly b: number;
  private readonly byLength = new Map<number, { pow: number; prefilters: Set<number>; digests: Set<string> }>();

  constructor(
    private readonly key: Buffer,
    terms: Term[],
  ) {
    this.b = base(key);
    for (const t of terms) {
      let g = this.byLength.get(t.length);
      if (!g) {
        let pow = 1;
        for (let i = 1; i < t.length; i++) pow = (pow * this.b) % P;
        g = { pow, prefilters: new Set(), digests: new Set() };
        this.byLength.set(t.length, g);
      }
      g.prefilters.add(t.prefilter);
      g.digests.add(t.digest);
    }
  }

  get empty(): boolean {
    return this.byLength.size === 0;
  }

  find(bytes: Buffer): Set<string> {
    const found = new Set<string>();
    const folded = Buffer.allocUnsafe(bytes.length);
    for (let i = 0; i < bytes.length; i++) folded[i] = fold(bytes[i]!);
    for (const [len, g] of this.byLength) {
      if (bytes.length < len) continue;
      let h = 0;
      for (let i = 0; i < len; i++) h = (h * this.b + folded[i]!) % P;
      for (let i = 0; ; i++) {
        if (g.prefilters.has(h)) {
          const d = digestOf(this.key, folded.subarray(i, i + len));
          if (g.digests.has(d)) found.add(d);
        }
        if (i + len >= folded.length) break;
        h = (((h - ((folded[i]! * g.pow) % P) + P) % P) * this.b + folded[i + len]!) % P;
      }
    }
    return found;
  }
}
