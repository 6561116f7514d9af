import type { ConsentLedgerTable } from './consent.table.ts';

export const SOURCES = [
  'api',
  'admin',
  'form',
  'page',
  'import',
  'journey',
  'subscription_center',
  'data_request',
  'system',
  // A person leaving through the link in a message (the one-click POST of RFC 8058, or the page's button).
  'unsubscribe',
] as const;
export type Source = (typeof SOURCES)[number];

/**
 * `level`, list joins and leaves, and the child state: `child_flag` (0/1), `birth_date` and
 * `guardian` (a contact id) as text values, `guardian_consent` (0/1). `erasure` records are
 * the ledger's own: which entries an erasure made stubs, linked to no contact.
 */
export type EntryKind = 'level' | 'list_join' | 'list_leave' | 'child_flag' | 'birth_date' | 'guardian' | 'guardian_consent' | 'erasure';

/** What a caller says about the change: where it came from, what was shown, request evidence. */
export interface ChangeContext {
  source: Source;
  actor: { type: string; id: string | null };
  /** The notice text shown, or the id of a stored notice. */
  notice?: string | { id: string };
  evidence?: { ip?: string | null; userAgent?: string | null };
}

export interface LedgerEntry {
  id: string;
  seq: number;
  contactId: string | null;
  kind: string;
  listId: string | null;
  oldValue: number | null;
  newValue: number | null;
  /** Values that are not small integers: a birth date, a guardian's contact id. */
  oldText: string | null;
  newText: string | null;
  source: string | null;
  actorType: string | null;
  actorId: string | null;
  notice: { hash: string; text: string | null } | null;
  evidence: { ip: string | null; userAgent: string | null };
  at: string;
  /**
   * History brought by an import from another system: when (`at`) and where (`source`) that
   * system says the consent was given. The entry's own `at` is when it was recorded here.
   */
  imported: { at: string; source: string | null } | null;
  hash: string;
  erased: boolean;
}

export function toEntry(r: ConsentLedgerTable, notices: Map<string, string>): LedgerEntry {
  return {
    id: r.id,
    seq: Number(r.seq),
    contactId: r.contact_id,
    kind: r.kind,
    listId: r.list_id,
    oldValue: r.old_value,
    newValue: r.new_value,
    oldText: r.old_text ?? null,
    newText: r.new_text ?? null,
    source: r.source,
    actorType: r.actor_type,
    actorId: r.actor_id,
    notice: r.notice_hash ? { hash: r.notice_hash, text: notices.get(r.notice_hash) ?? null } : null,
    evidence: { ip: r.evidence_ip, userAgent: r.evidence_ua },
    at: r.at,
    imported: r.original_at ? { at: r.original_at, source: r.original_source ?? null } : null,
    hash: r.entry_hash,
    erased: r.erased_at !== null,
  };
}
