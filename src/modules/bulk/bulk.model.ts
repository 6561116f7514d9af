import type { Source } from '../consent/module.ts';

/** Up to this many contacts a bulk action runs in the request and answers 200; more run as a job (202). */
export const SYNC_LIMIT = 1_000;
/** The most ids a body may name; a segment may hold more. */
export const MAX_IDS = 10_000;

/** Whom a bulk action covers: the ids named (deduplicated), or a saved segment's members when the work reaches them. */
export type BulkTarget = { contactIds: string[] } | { segmentId: string };

/**
 * A job's target: the segment, or the ids it was given, stored in bulk_targets (never in the
 * payload, which the erasure's residue scan reads as free text and which outlives the job).
 */
export type JobTarget = { segmentId: string } | { stored: true };

/** Who asked, as the ledger, the cases and the audit name them: ids only. */
export interface BulkActor {
  type: 'user' | 'api_key' | 'system' | 'cli' | 'anonymous';
  id: string | null;
}

/** What a bulk action does, with its options: a job's payload holds this and the target (ids and options, no personal values). */
export type BulkAction =
  | { kind: 'list.add'; listId: string; source: Source }
  | { kind: 'list.remove'; listId: string; source: Source }
  | {
      kind: 'consent.level';
      level: number;
      source: Source;
      notice?: string | { id: string };
      /** The caller may only lower levels (src/http/access.ts, WITHDRAWAL_ACCESS): a contact below the level is refused, not raised. */
      withdrawalOnly?: boolean;
    }
  | { kind: 'erasure'; note: string };

/** A job's payload: ids of the caller, the list or segment, and options; never the contacts' ids. */
export interface BulkPayload {
  action: BulkAction;
  target: JobTarget;
  actor: BulkActor;
}

/**
 * What a bulk action did: the 200 answer's `data`, and a job's `result`. `total` is the contacts
 * it covered (distinct ids named, or the segment's members it went through); the other counts
 * are the action's (`BulkCounts` keys by action in bulk.schemas.ts).
 */
export type BulkCounts = Record<string, number>;

/** The counts each action reports, every one starting at 0. */
export const COUNT_NAMES: Record<BulkAction['kind'], readonly string[]> = {
  'list.add': ['total', 'added', 'unchanged', 'missing'],
  'list.remove': ['total', 'removed', 'unchanged', 'missing'],
  // refused: below the level, for a caller who may only withdraw (the level is not raised).
  'consent.level': ['total', 'changed', 'unchanged', 'missing', 'refused'],
  // uncertain: an erasure begun by a run that died before it ended (never begun again; the case says what happened).
  erasure: ['total', 'erased', 'incomplete', 'missing', 'uncertain'],
};

export function zeroCounts(kind: BulkAction['kind']): BulkCounts {
  return Object.fromEntries(COUNT_NAMES[kind].map((k) => [k, 0]));
}

export function addCounts(a: BulkCounts, b: BulkCounts): BulkCounts {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}
