export interface AuditLogTable {
  id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  request_id: string | null;
  /** How many records a bulk action covered (the contacts of a bulk list change, consent change, erasure or export); null otherwise. */
  count: number | null;
}
