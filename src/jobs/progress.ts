import type { Kysely } from 'kysely';
import type { Db } from '../db/connect.ts';
import { iso, type Clock } from '../lib/clock.ts';
import type { JobRow } from './jobs.model.ts';
import * as q from './progress.queries.ts';
import type { JobQueue } from './queue.ts';

/**
 * What a reader of a tracked job sees (GET /api/v1/jobs/{id}):
 * - `queued`: waiting for a worker, not begun;
 * - `running`: a worker has it, or it failed an attempt and waits for its retry;
 * - `done`: it ended and `result` says what it did;
 * - `failed`: its attempts are spent (a dead job); `done` says how far it came, and what it
 *   did is kept (each step committed with its progress).
 */
export type ProgressStatus = 'queued' | 'running' | 'done' | 'failed';
export const PROGRESS_STATUSES: readonly ProgressStatus[] = ['queued', 'running', 'done', 'failed'];

/** Who started a tracked job: its role decides who may read it (that role and admin). */
export interface JobOwner {
  role: string;
  type: string;
  id: string | null;
}

export interface JobView {
  id: string;
  queue: string;
  status: ProgressStatus;
  done: number;
  total: number;
  result: unknown;
  owner: JobOwner;
}

/** Where a tracked job stands, for the job itself. */
export interface JobPosition {
  cursor: string | null;
  done: number;
  total: number;
}

export function progressStatus(job: { status: string; attempts: number }): ProgressStatus {
  if (job.status === 'done') return 'done';
  if (job.status === 'dead') return 'failed';
  if (job.status === 'running' || job.attempts > 0) return 'running';
  return 'queued';
}

/** Rolls a step's transaction back when another run moved the cursor first. */
class StepTaken extends Error {}

/**
 * Progress of jobs someone waits on, in the database: the worker process writes it, any process
 * reads it. A job's work is done in steps, each a transaction that moves the cursor (the last
 * item it applied) from where the step found it: a step a second run repeats finds the cursor
 * moved and rolls back, so a job run again after a crash resumes after the last committed step
 * and applies nothing twice (src/jobs/CONTEXT.md, "progress").
 */
export class JobProgress {
  constructor(
    private readonly db: Db<any>,
    private readonly clock: Clock,
    private readonly queue: JobQueue,
  ) {}

  /**
   * Enqueues a job with its progress row in one transaction: a reader never sees one without the
   * other. `with` writes what the job will read (its items) in the same transaction.
   */
  async enqueue(
    queueName: string,
    payload: unknown,
    owner: JobOwner,
    total: number,
    opts: { maxAttempts?: number; with?: (trx: Kysely<any>, job: JobRow) => Promise<void> } = {},
  ): Promise<JobRow> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const job = await this.queue.enqueue(queueName, payload, { ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}), trx });
      await opts.with?.(trx, job);
      const now = iso(this.clock.now());
      await q.insertProgress(trx, {
        job_id: job.id,
        owner_role: owner.role,
        owner_type: owner.type,
        owner_id: owner.id,
        done: 0,
        total,
        cursor: null,
        result: null,
        created_at: now,
        updated_at: now,
      });
      return job;
    });
  }

  /** The job as its readers see it; null when it is not tracked (or no longer exists). */
  async get(jobId: string): Promise<JobView | null> {
    const r = await q.progressWithJob(this.db.kysely, jobId);
    if (!r) return null;
    return {
      id: r.job_id,
      queue: r.queue,
      status: progressStatus(r),
      done: Number(r.done),
      total: Number(r.total),
      result: r.result === null ? null : JSON.parse(r.result),
      owner: { role: r.owner_role, type: r.owner_type, id: r.owner_id },
    };
  }

  async position(jobId: string): Promise<JobPosition | null> {
    const r = await q.progressWithJob(this.db.kysely, jobId);
    return r ? { cursor: r.cursor, done: Number(r.done), total: Number(r.total) } : null;
  }

  /**
   * One step: moves the cursor from `from` to `to` (counting `by` done) and runs `work`, in one
   * transaction. Returns false, having done nothing, when the cursor was no longer `from`
   * (another run took this step). The cursor's row is written first, so on PostgreSQL a second
   * run of the step waits on its lock and then finds it moved.
   */
  async step<T>(
    jobId: string,
    move: { from: string | null; to: string | null; by: number },
    work: (trx: Kysely<any>) => Promise<T>,
  ): Promise<{ applied: true; value: T } | { applied: false }> {
    try {
      const value = await this.db.kysely.transaction().execute(async (trx) => {
        if (!(await q.advanceProgress(trx, { jobId, ...move, now: iso(this.clock.now()) }))) throw new StepTaken();
        return work(trx);
      });
      return { applied: true, value };
    } catch (e) {
      if (e instanceof StepTaken) return { applied: false };
      throw e;
    }
  }

  /** Counts progress without a cursor (work keyed otherwise, e.g. per item by side effect records). */
  async count(jobId: string, done: number, trx: Kysely<any> = this.db.kysely): Promise<void> {
    await q.setDone(trx, jobId, done, iso(this.clock.now()));
  }

  /**
   * Adds counts to the result inside a step's transaction, so the counts a job reports are those
   * of the steps that committed, however often it ran.
   */
  async tally(trx: Kysely<any>, jobId: string, counts: Record<string, number>): Promise<void> {
    const now = iso(this.clock.now());
    const before = await q.resultOf(trx, jobId);
    const sum: Record<string, number> = before ? (JSON.parse(before) as Record<string, number>) : {};
    for (const [k, v] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + v;
    await q.setResult(trx, jobId, { result: JSON.stringify(sum), now });
  }

  async setTotal(jobId: string, total: number): Promise<void> {
    await q.setTotal(this.db.kysely, jobId, total, iso(this.clock.now()));
  }

  /** Records what the job did; readers see it once the job is done. Ids and counts only, never personal values. */
  async finish(jobId: string, result: unknown, trx: Kysely<any> = this.db.kysely): Promise<void> {
    await q.setResult(trx, jobId, { result: JSON.stringify(result), now: iso(this.clock.now()) });
  }
}
