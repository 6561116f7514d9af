import { asciiLower, MIN_PHONE_DIGITS, phoneDigits, TextMatcher, type Identifiers } from '../residue/residue.model.ts';

/** What replaces an identifier in redacted text. */
export const REDACTED = '[redacted]';

/**
 * Digits of a phone number's end that still point at it when written without the country code
 * ("020 7946 0123" for "+44 20 7946 0123"): weak evidence, as other numbers can end alike.
 */
export const PHONE_TAIL_DIGITS = 8;

/** `strong`: names the person for certain (address, full name, phone); `weak`: a first or last name alone, a phone's end. */
export type Strength = 'strong' | 'weak';

/** Separators that may stand between a phone number's digits in text. */
const SEP = '[\\s+().\\/-]*';
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Not inside a word: letters and digits of any script are word characters. */
const wordStart = '(?<![\\p{L}\\p{N}])';
const wordEnd = '(?![\\p{L}\\p{N}])';
/** A name with any spacing between its words (and before a comma). */
const spaced = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => escapeRegExp(w).replace(/,$/, '\\s*,'))
    .join('\\s+');

/**
 * A pattern compiled the first time a value may hold it: a batch of thousands of people makes
 * tens of thousands of patterns, and compiling the Unicode word boundaries costs more than the
 * whole search, while only the few whose terms turn up are ever run.
 */
class Pattern {
  private compiled: RegExp | null = null;
  constructor(
    readonly strength: Strength,
    private readonly source: string,
    private readonly flags: string,
  ) {}
  get re(): RegExp {
    return (this.compiled ??= new RegExp(this.source, this.flags));
  }
}

/**
 * One person's (or a batch's) identifiers, ready to find and redact in free text held in
 * memory. Candidates are found with one multi-term pass (`TextMatcher`) and confirmed by the
 * patterns of the terms it reported, so a batch of thousands of people costs one pass per
 * value, not one per person.
 */
export class IdentifierIndex {
  /** Built at the first value looked at: many erasures find no candidate row at all. */
  private matcher: TextMatcher | null = null;
  /** Per matcher term (folded text or digits): the patterns it may confirm. */
  private readonly byTerm = new Map<string, Pattern[]>();
  /** Full phone digits: strong where a value's digits, separators removed, hold them (the scan's own test). */
  private readonly phoneDigits = new Set<string>();
  /** The matcher's text terms and digit terms, for a database prefilter. */
  readonly texts: string[];
  readonly digits: string[];

  constructor(ids: Identifiers) {
    const add = (term: string, p: Pattern) => {
      const list = this.byTerm.get(term);
      if (list) list.push(p);
      else this.byTerm.set(term, [p]);
    };
    for (const e of ids.emails) add(asciiLower(e), new Pattern('strong', escapeRegExp(e), 'giu'));
    for (const n of ids.names) {
      // Found by any of its words (the matcher cannot know the spacing), confirmed with any spacing.
      const p = new Pattern('strong', wordStart + spaced(n) + wordEnd, 'giu');
      for (const w of n.split(/[\s,]+/).filter((x) => x.length > 0)) add(asciiLower(w), p);
    }
    for (const w of ids.weak ?? []) add(asciiLower(w), new Pattern('weak', wordStart + spaced(w) + wordEnd, 'giu'));
    for (const p of ids.phones) {
      const d = phoneDigits(p);
      if (d.length < MIN_PHONE_DIGITS) continue;
      this.phoneDigits.add(d);
      add(d, new Pattern('strong', `(?:(?:\\+|(?<!\\d)00)${SEP})?${d.split('').join(SEP)}(?!\\d)`, 'g'));
      if (d.length > PHONE_TAIL_DIGITS) {
        const tail = d.slice(-PHONE_TAIL_DIGITS);
        // The whole number it ends: any digits and separators before the tail.
        add(tail, new Pattern('weak', `(?<![\\d])(?:[+(]?\\d[\\d\\s().\\/-]*?)?${tail.split('').join(SEP)}(?!\\d)`, 'g'));
      }
    }
    this.texts = [...this.byTerm.keys()].filter((t) => !/^\d+$/.test(t));
    this.digits = [...this.byTerm.keys()].filter((t) => /^\d+$/.test(t));
  }

  get empty(): boolean {
    return this.byTerm.size === 0;
  }

  private patternsIn(value: string): Pattern[] {
    if (this.empty || !value) return [];
    this.matcher ??= new TextMatcher({ text: this.texts, digits: this.digits });
    const found = new Set<string>();
    this.matcher.scan(value, found);
    const out = new Set<Pattern>();
    for (const t of found) for (const p of this.byTerm.get(t) ?? []) out.add(p);
    return [...out];
  }

  /** The strongest evidence the text holds of anyone in the index, or null. */
  classify(value: string): Strength | null {
    const ps = this.patternsIn(value);
    if (ps.length === 0) return null;
    const digits = phoneDigits(value);
    for (const d of this.phoneDigits) if (digits.includes(d)) return 'strong';
    let weak = false;
    for (const p of ps) {
      const re = p.re;
      re.lastIndex = 0;
      if (!re.test(value)) continue;
      if (p.strength === 'strong') return 'strong';
      weak = true;
    }
    return weak ? 'weak' : null;
  }

  /**
   * The text with identifiers replaced by the marker: every one (`all`, the person's own rows),
   * or those that name the person for certain (`strong`, rows that belong to nobody).
   */
  redact(value: string, which: 'all' | Strength = 'all'): string {
    const ps = this.patternsIn(value).filter((p) => which === 'all' || p.strength === 'strong');
    // Strong patterns first: a full name is replaced whole before its parts could be.
    ps.sort((a, b) => (a.strength === b.strength ? 0 : a.strength === 'strong' ? -1 : 1));
    let out = value;
    for (const p of ps) out = out.replace(p.re, REDACTED);
    return out;
  }

  /**
   * Redacts a stored value: JSON (an object or array) has each string inside redacted and stays
   * valid JSON of the same shape; anything else is redacted as text.
   */
  redactStored(value: string, which: 'all' | Strength = 'all'): string {
    const t = value.trimStart();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        const walk = (v: unknown): unknown => {
          if (typeof v === 'string') return this.redact(v, which);
          if (Array.isArray(v)) return v.map(walk);
          if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
          return v;
        };
        const parsed = JSON.parse(value) as unknown;
        const next = walk(parsed);
        return JSON.stringify(next) === JSON.stringify(parsed) ? value : JSON.stringify(next);
      } catch {
        // Not JSON after all: text.
      }
    }
    return this.redact(value, which);
  }
}
