import { t, tOr } from '../../i18n/catalogue.ts';

/** A leaf of a segment filter as explain gives it (segments/filter.model.ts); typed loosely: only its kind is read. */
type Leaf = Record<string, unknown>;

/** The contact fields a condition may name, in words (`portal.fieldWord.<field>`); values are never shown. */
const fieldWord = (lang: string, field: string): string | null => {
  const key = `portal.fieldWord.${field}`;
  return tOr(lang, key, '') || null;
};

/**
 * One condition of a segment in words, for the person it is about, in `lang`. A field condition
 * names the field only, never the value compared: a filter may hold other people's identifiers
 * (an address list), and the person needs to know what is looked at, not what others typed.
 */
export function describeCondition(lang: string, node: unknown, levels: Map<number, string>, lists: Map<string, string>): string {
  const n = (node ?? {}) as Leaf;
  if (typeof n.field === 'string') {
    const known = fieldWord(lang, n.field);
    return known
      ? t(lang, 'portal.condition.field', { what: known })
      : t(lang, 'portal.condition.customField', { name: n.field.replace(/^customFields\./, '') });
  }
  if (n.consent && typeof n.consent === 'object') {
    const at = Number((n.consent as { atLeast?: unknown }).atLeast);
    return t(lang, 'portal.condition.consent', { level: levels.get(at) ?? String(at) });
  }
  if (typeof n.allowed === 'string')
    return t(lang, 'portal.condition.allowed', { purpose: tOr(lang, `export.purpose.${n.allowed}`, n.allowed.replace(/_/g, ' ')) });
  // A list the person is not on is named by nobody here: its id, not its name, is all the filter holds.
  if (typeof n.list === 'string') {
    const name = lists.get(n.list);
    return name === undefined ? t(lang, 'portal.condition.someList') : t(lang, 'portal.condition.list', { list: name });
  }
  // A condition a later module added (scoring's `score`): told by its kind, never its values.
  if (n.score && typeof n.score === 'object') return t(lang, 'portal.condition.score');
  if (n.behaviour && typeof n.behaviour === 'object')
    return t(lang, 'portal.condition.behaviour', { type: String((n.behaviour as { type?: unknown }).type) });
  return t(lang, 'portal.condition.field', { what: t(lang, 'portal.fieldWord.id') });
}
