import type { ChangeContext, LedgerEntry } from './consent.model.ts';
import type { EntryDraft } from './ledger.service.ts';

/**
 * The columns of a contact that decide whether it is a child and whose consent counts for it.
 * The consent rule reads them (gate.rule.ts), so only the consent module writes them, and each
 * change is a ledger entry with its old and new value.
 */
export interface ChildState {
  is_child: number;
  birth_date: string | null;
  guardian_id: string | null;
  guardian_consent: number;
}

/** What a caller asks to change (absent: unchanged). Guardian consent has its own way in. */
export interface ChildChange {
  isChild?: boolean;
  birthDate?: string | null;
  guardianId?: string | null;
}

export const NO_CHILD_STATE: ChildState = { is_child: 0, birth_date: null, guardian_id: null, guardian_consent: 0 };

export const childStateOf = (r: ChildState): ChildState => ({
  is_child: r.is_child,
  birth_date: r.birth_date,
  guardian_id: r.guardian_id,
  guardian_consent: r.guardian_consent,
});

/**
 * The state after a change and the ledger entries recording it, one per value that changed.
 * A new guardian never inherits the old one's consent: changing the link withdraws it, and
 * that is recorded too. `before` null means the contact is being created: it starts with no
 * child state, and an entry records each value it starts with (old value null), so the ledger
 * alone tells whether the person was a child at any time since.
 */
export function childStateChange(
  contactId: string,
  before: ChildState | null,
  change: ChildChange,
  ctx: ChangeContext,
): { after: ChildState; drafts: EntryDraft[] } {
  const base = before ?? NO_CHILD_STATE;
  const after = { ...base };
  const drafts: EntryDraft[] = [];
  const entry = (d: Omit<EntryDraft, 'contactId' | 'ctx' | 'oldValue' | 'newValue'> & Partial<Pick<EntryDraft, 'oldValue' | 'newValue'>>) =>
    drafts.push({ contactId, ctx, oldValue: null, newValue: null, ...d });
  if (change.isChild !== undefined && (change.isChild ? 1 : 0) !== base.is_child) {
    after.is_child = change.isChild ? 1 : 0;
    entry({ kind: 'child_flag', oldValue: before ? base.is_child : null, newValue: after.is_child });
  }
  if (change.birthDate !== undefined && change.birthDate !== base.birth_date) {
    after.birth_date = change.birthDate;
    entry({ kind: 'birth_date', oldText: base.birth_date, newText: after.birth_date });
  }
  if (change.guardianId !== undefined && change.guardianId !== base.guardian_id) {
    after.guardian_id = change.guardianId;
    entry({ kind: 'guardian', oldText: base.guardian_id, newText: after.guardian_id });
    if (base.guardian_consent === 1) {
      after.guardian_consent = 0;
      entry({ kind: 'guardian_consent', oldValue: 1, newValue: 0 });
    }
  }
  return { after, drafts };
}

/**
 * A child-state value at a past time from its ledger entries (oldest first): the newest entry
 * at or before it, else the value before the first entry, else (never changed on record) the
 * value now.
 */
export function valueAt<T>(entries: LedgerEntry[], at: string, now: T, read: (e: LedgerEntry, side: 'old' | 'new') => T): T {
  let last: LedgerEntry | undefined;
  for (const e of entries) if (e.at <= at) last = e;
  if (last) return read(last, 'new');
  return entries[0] ? read(entries[0], 'old') : now;
}
