export interface SegmentsTable {
  id: string;
  name: string;
  kind: string;
  /** The filter tree as JSON: a definition, never personal data. */
  filter: string;
  snapshot_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SegmentMembersTable {
  segment_id: string;
  contact_id: string;
}
