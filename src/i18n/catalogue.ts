import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Values put into a string's `{name}` placeholders. */
export type Params = Record<string, string | number>;

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;
const LANG = /^[a-z]{2,3}$/;

/** The placeholders a string uses, sorted and each once: the consistency test compares them across languages. */
export function placeholdersOf(s: string): string[] {
  return [...new Set([...s.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/**
 * The message catalogue: one flat JSON file per language (`locales/<lang>.json`, dotted keys to
 * strings with `{name}` placeholders; locales/README.md is for translators). Every file in the
 * directory is a language, so a translator adds one by dropping a file, with no code change.
 * English is the reference: a key missing from another language falls back to it.
 */
export class Catalogue {
  private constructor(private readonly langs: ReadonlyMap<string, Readonly<Record<string, string>>>) {}

  /** Reads every `<lang>.json` of `dir` once; a file that is not a flat object of strings stops the start, naming the file. */
  static load(dir: string): Catalogue {
    const langs = new Map<string, Record<string, string>>();
    for (const file of readdirSync(dir).sort()) {
      const lang = file.replace(/\.json$/, '');
      if (lang === file || !LANG.test(lang)) continue;
      const data: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      if (typeof data !== 'object' || data === null || Array.isArray(data) || Object.values(data).some((v) => typeof v !== 'string'))
        throw new Error(`locales: ${file} must be one JSON object of strings`);
      langs.set(lang, data as Record<string, string>);
    }
    if (!langs.has('en')) throw new Error(`locales: ${dir} has no en.json, the reference every other language falls back to`);
    return new Catalogue(langs);
  }

  /** The languages there is a file for, sorted. */
  languages(): string[] {
    return [...this.langs.keys()].sort();
  }

  has(lang: string): boolean {
    return this.langs.has(lang);
  }

  /** The raw strings of one language (the consistency tests read them). */
  strings(lang: string): Readonly<Record<string, string>> {
    return this.langs.get(lang) ?? {};
  }

  /**
   * The string of `key` in `lang` (else English, else the key itself), its placeholders filled.
   * A placeholder without a value is left as it is (`{name}`): a page with a visible gap is
   * better than no page, and the tests catch it.
   */
  t(lang: string, key: string, params: Params = {}): string {
    const s = this.langs.get(lang)?.[key] ?? this.langs.get('en')?.[key] ?? key;
    return s.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
  }

  /**
   * The language to speak: the page's own (`?lang=` or the page's setting), else the contact's,
   * else the browser's `Accept-Language` (by quality), else `fallback`: always one the catalogue
   * has. A regional tag finds its language (`de-AT` → `de`).
   */
  negotiate(o: { page?: string | null; contact?: string | null; acceptLanguage?: string | null; fallback: string }): string {
    for (const l of [o.page, o.contact]) {
      const known = this.known(l);
      if (known) return known;
    }
    for (const l of parseAcceptLanguage(o.acceptLanguage ?? '')) {
      const known = this.known(l);
      if (known) return known;
    }
    return this.known(o.fallback) ?? 'en';
  }

  private known(tag: string | null | undefined): string | null {
    if (!tag) return null;
    const lang = tag.trim().toLowerCase().split(/[-_]/)[0]!;
    return this.langs.has(lang) ? lang : null;
  }
}

/** `Accept-Language`'s tags, best first (RFC 9110 §12.5.4); `q=0` and `*` say nothing we can use. Malformed parts are skipped. */
export function parseAcceptLanguage(header: string): string[] {
  return header
    .slice(0, 1000)
    .split(',')
    .map((part, i) => {
      const [tag = '', ...ps] = part.split(';').map((x) => x.trim());
      const qp = ps.find((p) => /^q=/i.test(p));
      const q = qp === undefined ? 1 : Number(qp.slice(2));
      return { tag, q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.q > 0 && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(x.tag))
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((x) => x.tag);
}

/** "4 January 2027" / "4. Januar 2027": a date as people write it, on the calendar of `timeZone`. */
export function formatDate(lang: string, date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, { dateStyle: 'long', timeZone }).format(date);
}

/** A calendar date (`YYYY-MM-DD`, as deadlines are stored) written out: "4 January 2027". */
export function formatDay(lang: string, day: string): string {
  return formatDate(lang, new Date(`${day}T12:00:00Z`), 'UTC');
}

/** "4 January 2027, 10:20": a moment, on the clock of `timeZone`. */
export function formatDateTime(lang: string, date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(date);
}

/**
 * The shipped locales directory: `locales/` at the root of the installation, found upwards
 * from this file, so the sources (src/i18n/) and the bundle (dist/) both find it.
 */
export function localesDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'locales', 'en.json'))) return join(d, 'locales');
    if (dirname(d) === d) throw new Error('locales: no locales/en.json found above the code');
  }
}

/** The installation's catalogue, read once at start. */
export const catalogue = Catalogue.load(localesDir());

export const t = (lang: string, key: string, params?: Params): string => catalogue.t(lang, key, params);
export const negotiate = (o: Parameters<Catalogue['negotiate']>[0]): string => catalogue.negotiate(o);

/**
 * The string of `key` when the catalogue has it, else `fallback`: for words keyed by data (a
 * ledger source, a column's name), where a value the catalogue does not name is shown as it is.
 */
export const tOr = (lang: string, key: string, fallback: string, params?: Params): string =>
  Object.hasOwn(catalogue.strings('en'), key) ? catalogue.t(lang, key, params) : fallback;
