import type { Kysely, Transaction } from 'kysely';
import type { JobsDatabase } from './jobs.table.ts';
import type { JobProgressTable } from './progress.table.ts';

type Executor = Kysely<JobsDatabase> | Transaction<JobsDatabase>;

export const insertProgress = (db: Executor, row: JobProgressTable) => db.insertInto('job_progress').values(row).execute();

/** The progress row with its job's status (a progress row whose job retention removed is not found). */
export const progressWithJob = (db: Executor, jobId: string) =>
  db
    .selectFrom('job_progress')
    .innerJoin('jobs', 'jobs.id', 'job_progress.job_id')
    .select([
      'job_progress.job_id',
      'job_progress.owner_role',
      'job_progress.owner_type',
      'job_progress.owner_id',
      'job_progress.done',
      'job_progress.total',
      'job_progress.cursor',
      'job_progress.result',
      'jobs.status',
      'jobs.attempts',
      'jobs.queue',
    ])
    .where('job_progress.job_id', '=', jobId)
    .executeTakeFirst();

/**
 * Moves the cursor from `from` to `to` and counts `by` more done, only if the cursor is still
 * `from`: a second run of the same step (a job run again after its lease lapsed, while the first
 * still works) finds it moved and must undo its step (roll its transaction back).
 */
export async function advanceProgress(
  db: Executor,
  p: { jobId: string; from: string | null; to: string | null; by: number; now: string },
): Promise<boolean> {
  const r = await db
    .updateTable('job_progress')
    .set((eb) => ({ cursor: p.to, done: eb('done', '+', p.by), updated_at: p.now }))
    .where('job_id', '=', p.jobId)
    .where((eb) => (p.from === null ? eb('cursor', 'is', null) : eb('cursor', '=', p.from)))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const setResult = (db: Executor, jobId: string, p: { result: string; total?: number; now: string }) =>
  db
    .updateTable('job_progress')
    .set({ result: p.result, updated_at: p.now, ...(p.total !== undefined ? { total: p.total } : {}) })
    .where('job_id', '=', jobId)
    .execute();

export const setTotal = (db: Executor, jobId: string, total: number, now: string) =>
  db.updateTable('job_progress').set({ total, updated_at: now }).where('job_id', '=', jobId).execute();

export const setDone = (db: Executor, jobId: string, done: number, now: string) =>
  db.updateTable('job_progress').set({ done, updated_at: now }).where('job_id', '=', jobId).execute();

export const resultOf = async (db: Executor, jobId: string) =>
  (await db.selectFrom('job_progress').select('result').where('job_id', '=', jobId).executeTakeFirst())?.result ?? null;
