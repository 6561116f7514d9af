import { sql, type RawBuilder } from 'kysely';
// The dialect's name, spelled here: connect.ts registers these functions and may not be imported back.
type Dialect = 'sqlite' | 'postgres';

/**
 * Case- and accent-insensitive text comparison, the same on both databases.
 *
 * Lower case is Unicode's full lower-case mapping (JavaScript's `toLowerCase`, ICU's `lower`):
 * SQLite's own `lower()` changes ASCII only, so the SQLite connection registers `assent_lower`
 * (src/db/connect.ts); PostgreSQL's `lower()` follows the database's LC_CTYPE (ASCII only under
 * the C locale), so it is asked under the ICU root collation `und-x-icu` (present in every
 * PostgreSQL built with ICU, as the packaged ones are) and the result compared in binary order.
 *
 * Accents: PostgreSQL has no accent folding without the `unaccent` extension (which needs a
 * superuser to install), so both databases fold through one character table, `translate()` on
 * PostgreSQL and the same table in JavaScript on SQLite: Latin letters with diacritics become
 * their base letter, combining marks (U+0300–U+036F) are dropped. Other scripts keep their
 * marks. The table is built here from Unicode decomposition once, so it is identical on both.
 */

/** Unicode full lower case, as both databases compute it. */
export const lowerText = (s: string): string => s.toLowerCase();

function buildFoldTable(): { from: string; to: string } {
  let from = '';
  let to = '';
  const extra: Record<string, string> = { ø: 'o', Ø: 'o', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd', ħ: 'h', Ħ: 'h', ı: 'i' };
  for (let cp = 0xc0; cp <= 0x24f; cp++) {
    const ch = String.fromCodePoint(cp);
    const base =
      extra[ch] ??
      ch
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase();
    if (base.length === 1 && base !== ch.toLowerCase() && /^[a-z]$/.test(base)) {
      from += ch;
      to += base;
    }
  }
  // Characters in `from` beyond the length of `to` are deleted by translate(): the marks go last.
  for (let cp = 0x300; cp <= 0x36f; cp++) from += String.fromCodePoint(cp);
  return { from, to };
}
export const FOLD_TABLE = buildFoldTable();
const FOLD_MAP = new Map<string, string>([...FOLD_TABLE.from].map((ch, i) => [ch, FOLD_TABLE.to[i] ?? '']));

/** Lower case, then the accent table: what `foldSql` computes in the database. */
export function foldText(s: string): string {
  let out = '';
  for (const ch of lowerText(s)) out += FOLD_MAP.get(ch) ?? ch;
  return out;
}

/** `expr` in lower case (full Unicode mapping), compared in binary order. */
export function lowerSql(dialect: Dialect, expr: RawBuilder<unknown>): RawBuilder<string> {
  return dialect === 'postgres' ? sql<string>`(lower((${expr}) collate "und-x-icu") collate "C")` : sql<string>`assent_lower(${expr})`;
}

/** `expr` lower-cased and stripped of Latin accents (foldText, computed by the database). */
export function foldSql(dialect: Dialect, expr: RawBuilder<unknown>): RawBuilder<string> {
  return dialect === 'postgres'
    ? sql<string>`translate(${lowerSql(dialect, expr)}, ${sql.lit(FOLD_TABLE.from)}, ${sql.lit(FOLD_TABLE.to)})`
    : sql<string>`assent_fold(${expr})`;
}

/** Registers the SQLite side of lowerSql and foldSql on a connection. */
export function registerTextFunctions(raw: {
  function: (name: string, opts: { deterministic: boolean }, fn: (v: unknown) => unknown) => unknown;
}): void {
  raw.function('assent_lower', { deterministic: true }, (v) => (typeof v === 'string' ? lowerText(v) : v));
  raw.function('assent_fold', { deterministic: true }, (v) => (typeof v === 'string' ? foldText(v) : v));
}
