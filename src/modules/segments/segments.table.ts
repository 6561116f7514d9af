export interface SegmentsTable {
  id: string;
  name: string;
  /** What the segment is for, in its owner's words (free text, may be null). */
  description: string | null;
  kind: string;
  /** The filter tree as JSON: a definition, never personal data. */
  filter: string;
  snapshot_at: string | null;
  created_at: string;
  updated_at: string;
  /** 1 once an erasure replaced a value in the filter or found a person's identifiers here. */
  flagged: number;
  /** What the erasure did or found (columns, receipt, tasks), never a value. */
  flag_detail: string | null;
}

export interface SegmentMembersTable {
  segment_id: string;
  contact_id: string;
}
