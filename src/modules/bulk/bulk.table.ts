/** A contact a bulk job covers (bulk_targets): the ids a body named, out of the job's payload. */
export interface BulkTargetsTable {
  job_id: string;
  contact_id: string;
  created_at: string;
}
