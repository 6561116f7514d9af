import { type Params, t, tOr } from '../../../i18n/catalogue.ts';
import { humanise } from './access-export.model.ts';

/**
 * The export page's words, from the message catalogue (`export.*` keys in locales/); what the
 * catalogue does not name (an installation's own purpose, a column no key describes) is shown by
 * its own name.
 */

/** One of the page's strings (`export.<key>`) in `lang`. */
export const w = (lang: string, key: string, params?: Params): string => t(lang, `export.${key}`, params);

/** Plain words for a purpose the data map names; an installation's own purpose is shown by its name. */
export const purposeText = (lang: string, p: string): string => tOr(lang, `export.purpose.${p}`, p.replace(/_/g, ' '));

/** What a consent-ledger entry changed ("consent level", "joined list"). */
export const changeWord = (lang: string, kind: string): string => tOr(lang, `export.change.${kind}`, kind);

/** A column's name for a person ("First name"); its data-map name made readable when no key names it. */
export const columnWord = (lang: string, table: string, column: string): string => tOr(lang, `column.${table}.${column}`, humanise(column));

const UNITS: Record<string, 'year' | 'month' | 'week' | 'day'> = { Y: 'year', M: 'month', W: 'week', D: 'day' };

/**
 * "P30D" from "created_at" → "30 days from when the record was made": the numbers and units are
 * the language's own (Intl), so a translator writes no plural forms.
 */
export function retentionText(lang: string, ret: { after: string; from: string } | null): string {
  if (!ret) return w(lang, 'keptUntilErased');
  const locale = lang === 'en' ? 'en-GB' : lang;
  const parts = [...ret.after.matchAll(/(\d+)([YMWD])/g)].map(([, n, u]) =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: UNITS[u!]!, unitDisplay: 'long' }).format(Number(n)),
  );
  const from = tOr(lang, `export.from.${ret.from}`, humanise(ret.from).toLowerCase());
  return w(lang, 'keptFor', { period: parts.join(' ') || ret.after, from });
}
