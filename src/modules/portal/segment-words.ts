import { CONDITION_WORDS, FIELD_WORDS } from './portal.text.ts';

/** A leaf of a segment filter as explain gives it (segments/filter.model.ts); typed loosely: only its kind is read. */
type Leaf = Record<string, unknown>;

/**
 * One condition of a segment in words, for the person it is about. A field condition names the
 * field only, never the value compared: a filter may hold other people's identifiers (an address
 * list), and the person needs to know what is looked at, not what others typed.
 */
export function describeCondition(node: unknown, levels: Map<number, string>, lists: Map<string, string>): string {
  const n = (node ?? {}) as Leaf;
  if (typeof n.field === 'string') {
    const known = FIELD_WORDS[n.field];
    return known ? CONDITION_WORDS.field(known) : CONDITION_WORDS.customField(n.field.replace(/^customFields\./, ''));
  }
  if (n.consent && typeof n.consent === 'object') {
    const at = Number((n.consent as { atLeast?: unknown }).atLeast);
    return CONDITION_WORDS.consent(levels.get(at) ?? String(at));
  }
  if (typeof n.allowed === 'string') return CONDITION_WORDS.allowed(n.allowed);
  // A list the person is not on is named by nobody here: its id, not its name, is all the filter holds.
  if (typeof n.list === 'string') return CONDITION_WORDS.list(lists.get(n.list) ?? 'named by the group');
  if (n.behaviour && typeof n.behaviour === 'object') return CONDITION_WORDS.behaviour(String((n.behaviour as { type?: unknown }).type));
  return CONDITION_WORDS.field('your record');
}
