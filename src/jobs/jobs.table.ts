import type { SideEffectsTable } from './effects.table.ts';
import type { JobProgressTable } from './progress.table.ts';

export interface JobsTable {
  id: string;
  queue: string;
  idempotency_key: string | null;
  payload: string;
  status: string;
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** The platform's job tables: what this layer queries (it knows no module's tables). */
export interface JobsDatabase {
  jobs: JobsTable;
  side_effects: SideEffectsTable;
  job_progress: JobProgressTable;
}
