import { opLabel, INTERACTION_LABELS, type InteractionType, type Op } from './language';
import type { TreeNode } from './filterTree';
import { purposeWords, type Vocabulary } from './vocabulary';

const quote = (v: unknown): string => (typeof v === 'string' ? `“${v}”` : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

/** A condition in plain words, with names for levels, lists and fields (never ids where a name exists). */
export function conditionWords(n: TreeNode, v: Vocabulary): string {
  switch (n.kind) {
    case 'field': {
      const f = v.field(n.field);
      const label = f?.label ?? n.field;
      const type = f?.type ?? 'text';
      if (n.op === 'is_null') return `${label} ${n.value === false ? 'has a value' : 'is empty'}`;
      const value = Array.isArray(n.value) ? n.value.map(quote).join(', ') : quote(n.value);
      return `${label} ${opLabel(n.op as Op, type)} ${value}`;
    }
    case 'consent':
      return `Consent level is at least ${v.levelName(n.atLeast)}`;
    case 'allowed':
      return `Consent allows ${purposeWords(n.purpose)} now`;
    case 'list':
      return `Is a member of ${v.listName(n.list) ?? (v.listsKnown ? 'a list that no longer exists' : 'a list')}`;
    case 'behaviour': {
      const type = INTERACTION_LABELS[n.type as InteractionType] ?? String(n.type);
      const ref = n.ref !== undefined ? ` (${quote(n.ref)})` : '';
      const times = n.atLeast === undefined || n.atLeast === 1 ? 'at least once' : `at least ${String(n.atLeast)} times`;
      const within = n.withinDays !== undefined ? ` in the last ${String(n.withinDays)} days` : ' ever';
      return `${type}${ref} ${times}${within}`;
    }
    case 'and':
      return 'All of these';
    case 'or':
      return 'Any of these';
    case 'not':
      return 'Not this';
    case 'raw':
      return 'A condition the builder does not know (edit it in the JSON view)';
  }
}
