import { formatDateTime } from '../../ui/format';
import { durationWords } from './graph';
import type { Lookups } from './TilePanel';
import { segmentOfFilter } from './TilePanel';
import type { Tile } from './types';
import { CONTACT_FIELDS, DID_TYPES, TASK_ROLES } from './words';

const named = (items: { id: string; name: string }[], id: string, what: string) =>
  id ? `“${items.find((i) => i.id === id)?.name ?? `a deleted ${what}`}”` : `no ${what} chosen`;

/** What a tile does, in a line of words with the names of what it uses: drawn on the tile. */
export function summaryOf(t: Tile, look: Lookups): string {
  switch (t.type) {
    case 'start': {
      const tr = t.trigger;
      if ('segmentId' in tr)
        return `Members of ${named(look.segments, tr.segmentId, 'segment')}${tr.joinLater ? ', and those who join later' : ''}`;
      if ('formId' in tr) return `People who submit ${named(look.forms, tr.formId, 'form')}`;
      if ('event' in tr) return tr.event ? `When ${tr.event} happens to a contact` : 'No event chosen';
      return 'Contacts added by hand or through the API';
    }
    case 'email':
      return `Sends ${named(look.messages, t.messageId, 'message')}`;
    case 'wait':
      if (t.until === undefined) return `Waits ${durationWords(t.duration)}`;
      if (/^\d{2}:\d{2}$/.test(t.until)) return `Waits until ${t.until}`;
      return t.until ? `Waits until ${formatDateTime(t.until)}` : 'Waits until: no date chosen';
    case 'wait_event':
      return `Waits for ${t.event || 'no event chosen'}, at most ${durationWords(t.timeout)}`;
    case 'condition': {
      if (t.did) return `${DID_TYPES.find((d) => d.value === t.did?.type)?.label ?? t.did.type} since entering?`;
      const s = segmentOfFilter(t.filter, look.segments);
      return t.filter === undefined ? 'No segment chosen' : s ? `Matches “${s.name}”?` : 'Matches a segment’s rule?';
    }
    case 'split':
      return `${t.branches.map((b) => `${b.percent}%`).join(' / ')} of contacts`;
    case 'update_contact': {
      if (!t.field) return 'No field chosen';
      const f = look.fields.find((x) => x.value === t.field) ?? CONTACT_FIELDS.find((x) => x.value === t.field);
      const value = t.value === null || t.value === '' ? 'empty' : t.value === true ? 'yes' : t.value === false ? 'no' : `“${t.value}”`;
      return `Sets ${f?.label ?? t.field} to ${value}`;
    }
    case 'list':
      return `${t.action === 'join' ? 'Adds to' : 'Takes off'} ${named(look.lists, t.listId, 'list')}`;
    case 'task':
      return `A task for ${TASK_ROLES.find((r) => r.value === t.role)?.label.replace(/ \(.*\)$/, '') ?? t.role}`;
    case 'end':
      return 'The journey ends here';
  }
}
