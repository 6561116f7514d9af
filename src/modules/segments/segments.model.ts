import type { FilterNode } from './filter.model.ts';
import type { SegmentsTable } from './segments.table.ts';

export type SegmentKind = 'dynamic' | 'static';

export interface Segment {
  id: string;
  name: string;
  description: string | null;
  kind: SegmentKind;
  filter: FilterNode;
  /** For static segments: when the member list was taken. */
  snapshotAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** An erasure touched this segment: see flagDetail. */
  flagged: boolean;
  flagDetail: string | null;
}

export function toSegment(r: SegmentsTable): Segment {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    kind: r.kind as SegmentKind,
    filter: JSON.parse(r.filter) as FilterNode,
    snapshotAt: r.snapshot_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    flagged: r.flagged === 1,
    flagDetail: r.flag_detail,
  };
}

export interface Explanation {
  member: boolean;
  conditions: { path: string; condition: FilterNode; value: boolean }[];
}

/** A segment as an export names it. */
export interface SegmentRef {
  id: string;
  name: string;
  kind: SegmentKind;
}

/**
 * Why a segment could not be evaluated, in fixed words (never a value or a database message):
 * its saved filter no longer validates (`filter_invalid`), or the database refused its query
 * (`query_failed`).
 */
export type NotEvaluableReason = 'filter_invalid' | 'query_failed';

/** The segments a contact belongs to now, and those that could not be evaluated for them. */
export interface Memberships {
  segments: SegmentRef[];
  notEvaluated: (SegmentRef & { reason: NotEvaluableReason })[];
}
