import type { Actor } from '../../audit/module.ts';
import type { DataMap, SubjectLink } from '../../datamap/module.ts';
import type { ErasureReceiptsTable } from '../dsr.table.ts';
import type { PersonRow } from '../residue/residue.model.ts';
import type { ResidueKind } from '../requests/tasks.model.ts';

/** Where an erasure's storage purge stands (receipts' `storage`). */
export interface StorageStatus {
  status: 'pending' | 'purged' | 'failed';
  purgedAt: string | null;
  /** What was rewritten and checked, and how; names relations, never values. */
  verification: string | null;
}

export function storageStatus(
  r: Pick<ErasureReceiptsTable, 'storage_status' | 'storage_purged_at' | 'storage_verification'>,
): StorageStatus | null {
  if (r.storage_status === null) return null;
  return { status: r.storage_status as StorageStatus['status'], purgedAt: r.storage_purged_at, verification: r.storage_verification };
}

/** Who is erased: contacts by id, and addresses (with or without a contact behind them). */
export interface ErasureTargets {
  contactIds?: string[];
  emails?: string[];
}

export interface ErasureOptions {
  actor: Actor;
  /** The cases this erasure answers: each gets a receipt, and is flagged when residue is found. */
  requestIds?: string[];
  /** Overrides the `suppressErasedAddresses` setting for this erasure. */
  suppress?: boolean;
  /** Contacts per transaction in a bulk erasure. */
  batchSize?: number;
  /** Told how long each phase took (benchmarks, diagnostics); `transaction` once per batch. */
  onPhase?: (phase: ErasurePhase, ms: number) => void;
}

/**
 * The transaction(s); the storage purge after the commit (checkpoint, vacuum); the residue scan.
 * SQLite's checkpoint runs during the scan, so those two phases overlap there.
 */
export type ErasurePhase = 'transaction' | 'storage' | 'scan';

export interface ErasureReceipt {
  id: string;
  requestId: string | null;
  at: string;
  actor: { type: string; id: string | null };
  /** Rows deleted or anonymised, per table (tables without any left out). */
  tables: Record<string, number>;
  /** Where the residue scan found an identifier (`table.column`, `file:NAME`, …); null until it ran. */
  residue: string[] | null;
  /**
   * Whether the person's bytes are out of the database's live files: `pending` until the
   * storage purge has run (PostgreSQL: a rewrite of the relations that held them, batched
   * across erasures), then `purged` (or `failed`) with the time and what was checked, and how.
   * SQLite's purge is part of the erasure. Null on receipts made before this was recorded.
   */
  storage: StorageStatus | null;
  /** True when the scan found nothing; false while residue remains (see the tasks); null until it ran. */
  complete: boolean | null;
}

/** A task an erasure left for the privacy officer: where, never what. */
export interface ErasureTask {
  id: string;
  kind: ResidueKind;
  location: string;
  rowId: string | null;
}

export interface ErasureResult {
  receipts: ErasureReceipt[];
  contacts: number;
  tables: Record<string, number>;
  residue: string[];
  /**
   * False when residue remains: the erasure is not done, and `tasks` say where a person must
   * act. Only residue decides: `review` tasks (weak signs such as a shared first name) do not.
   */
  complete: boolean;
  tasks: ErasureTask[];
}

/**
 * What erasure does to one table, read off the data map: rows whose columns say `delete-row`
 * go; rows whose personal columns say `null` stay with those columns cleared.
 */
export interface TablePlan {
  table: string;
  link: SubjectLink;
  action: 'delete' | 'null';
  nullColumns: string[];
  /**
   * Other columns holding a contact id (category `system.ref.contact`) of a table linked by
   * address: a message sent to an address the person used before is theirs too.
   */
  contactRefs: string[];
}

export const CONTACT_REF = 'system.ref.contact';

/**
 * The erasure plan, in an order foreign keys accept: every linked table before the person's
 * own row. A table that mixes `delete-row` with `null` says two contradictory things and is
 * refused; one whose columns all say `keep` holds nothing personal and is left alone.
 */
export function planErasure(map: DataMap): TablePlan[] {
  const plans: TablePlan[] = [];
  for (const t of map.tables) {
    if (!t.subjectLink) continue;
    const deletes = t.columns.some((c) => c.erase === 'delete-row');
    const nullColumns = t.columns.filter((c) => c.erase === 'null').map((c) => c.name);
    if (deletes && nullColumns.length) throw new Error(`data map: ${t.name} mixes delete-row and null erasure (${nullColumns.join(', ')})`);
    if (!deletes && nullColumns.length === 0) continue;
    if (t.subjectLink.kind === 'self' && !deletes)
      throw new Error(`data map: ${t.name} is the person's own row and must be deleted on erasure`);
    const contactRefs =
      t.subjectLink.kind === 'email'
        ? t.columns.filter((c) => c.category === CONTACT_REF && c.name !== t.subjectLink!.column).map((c) => c.name)
        : [];
    plans.push({ table: t.name, link: t.subjectLink, action: deletes ? 'delete' : 'null', nullColumns, contactRefs });
  }
  return [...plans.filter((p) => p.link.kind !== 'self'), ...plans.filter((p) => p.link.kind === 'self')];
}

export function toReceipt(r: ErasureReceiptsTable): ErasureReceipt {
  return {
    id: r.id,
    requestId: r.request_id,
    at: r.at,
    actor: { type: r.actor_type, id: r.actor_id },
    tables: JSON.parse(r.tables) as Record<string, number>,
    residue: r.residue === null ? null : (JSON.parse(r.residue) as string[]),
    storage: storageStatus(r),
    complete: r.residue === null ? null : (JSON.parse(r.residue) as string[]).length === 0,
  };
}

export function addCounts(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** Per table the larger count: rows both cleared and redacted are counted once. */
export function maxCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/**
 * The profiles an access export copied (its `contacts` rows): a person's earlier name or phone,
 * from before a rectification, is known from them while they exist (7 days).
 */
export function namesKnownFrom(exportJson: string[]): PersonRow[] {
  const out: PersonRow[] = [];
  for (const text of exportJson) {
    try {
      const x = JSON.parse(text) as { tables?: { contacts?: { rows?: Record<string, unknown>[] } } };
      for (const r of x.tables?.contacts?.rows ?? []) {
        const str = (v: unknown) => (typeof v === 'string' ? v : null);
        out.push({ email: str(r.email), phone: str(r.phone), first_name: str(r.first_name), last_name: str(r.last_name) });
      }
    } catch {
      // A copy that is not an export of this format names nobody we can read.
    }
  }
  return out;
}
