/**
 * How far a job that someone waits on has come (a bulk action, an import): written by the
 * worker running it, read by any process through GET /api/v1/jobs/{id}. One row per tracked
 * job; jobs nobody watches have none.
 */
export interface JobProgressTable {
  job_id: string;
  /** The role of the caller that started it: with admin, the only role that may read it (its result may name contacts). */
  owner_role: string;
  /** The caller that started it (a user or an API key), by id; null for the CLI or the system. */
  owner_type: string;
  owner_id: string | null;
  done: number;
  total: number;
  /**
   * Where the work stands, for the job itself: the last item applied (a contact id), moved in the
   * same transaction as the work it covers, so a run after a crash resumes after it and applies
   * nothing twice. Opaque to readers.
   */
  cursor: string | null;
  /** JSON: what the job did (counts, ids), once it ended; null until then. */
  result: string | null;
  created_at: string;
  updated_at: string;
}
