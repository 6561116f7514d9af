import type { Kysely, Transaction } from 'kysely';
import { chunks } from '../lib/chunks.ts';
import type { Db } from '../db/connect.ts';
import { iso, type Clock } from '../lib/clock.ts';
import { newId } from '../lib/ids.ts';
import { JOB_STATUSES, retryDelayMs, truncateError, type JobRow, type JobStats } from './jobs.model.ts';
import * as q from './jobs.queries.ts';

export interface EnqueueOptions {
  /** Enqueuing an existing key returns the existing job and inserts nothing. */
  key?: string;
  runAt?: Date;
  maxAttempts?: number;
  /** Enqueue inside the caller's transaction, so the job exists exactly when the change that asked for it does. */
  trx?: Transaction<any>;
}

export interface BulkJob {
  payload: unknown;
  key?: string;
  runAt?: Date;
  maxAttempts?: number;
}

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
}

const DEFAULT_MAX_ATTEMPTS = 5;
// SQLite binds at most 32766 parameters per statement (PostgreSQL 65535).
const MAX_PARAMS = 32766;
// Large IN lists cost more to plan than they save in round trips.
const COMPLETE_CHUNK = 1000;

export class JobQueue {
  constructor(
    readonly db: Db<any>,
    readonly clock: Clock,
  ) {}

  async enqueue(queue: string, payload: unknown, opts: EnqueueOptions = {}): Promise<JobRow> {
    const exec = opts.trx ?? this.db.kysely;
    const row = this.newRow(queue, { payload, ...opts }, iso(this.clock.now()));
    const inserted = await q.insertJob(exec, row);
    if (inserted) return inserted;
    // Only a key conflict suppresses the insert (ids are fresh), so the key names the winner.
    const existing = await q.jobByKey(exec, opts.key!);
    if (!existing) throw new Error(`job with key ${opts.key} vanished while enqueuing`);
    return existing;
  }

  /** Bulk enqueue, all or nothing; jobs whose key exists are skipped. Returns how many were inserted. */
  async enqueueMany(queue: string, jobs: BulkJob[], opts: { trx?: Transaction<any> } = {}): Promise<number> {
    // One enqueue time for the whole batch: the jobs were asked for together.
    const now = iso(this.clock.now());
    const rows = jobs.map((j) => this.newRow(queue, j, now));
    if (rows.length === 0) return 0;
    const chunk = Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length);
    const insertAll = async (exec: Kysely<any>): Promise<number> => {
      let n = 0;
      for (const part of chunks(rows, chunk)) n += await q.insertJobs(exec, part);
      return n;
    };
    if (opts.trx) return insertAll(opts.trx);
    if (rows.length <= chunk) return insertAll(this.db.kysely);
    return this.db.kysely.transaction().execute(insertAll);
  }

  /** Takes up to `limit` ready jobs, oldest run_at first, under a lease of `leaseMs`. */
  async claim(queue: string, workerId: string, opts: ClaimOptions): Promise<JobRow[]> {
    if (!(opts.limit >= 1)) throw new RangeError('claim limit must be at least 1');
    if (!(opts.leaseMs > 0)) throw new RangeError('lease must be positive');
    const now = this.clock.now();
    const rows = await q.claimJobs(this.db.kysely, {
      queue,
      workerId,
      limit: Math.floor(opts.limit),
      now: iso(now),
      lockedUntil: iso(new Date(now.getTime() + opts.leaseMs)),
      skipLocked: this.db.dialect === 'postgres',
    });
    // RETURNING follows no ORDER BY; handlers should still see jobs in the order they were due.
    return rows.sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** True when this worker still held the lease; false means another worker owns (or finished) the job now. */
  async complete(job: JobRow, workerId: string): Promise<boolean> {
    return q.completeJob(this.db.kysely, fence(job, workerId), iso(this.clock.now()));
  }

  /** complete() for a batch; returns how many of the jobs this worker still held. */
  async completeMany(jobs: JobRow[], workerId: string): Promise<number> {
    const now = iso(this.clock.now());
    const byAttempts = new Map<number, string[]>();
    for (const j of jobs) {
      const ids = byAttempts.get(j.attempts) ?? [];
      ids.push(j.id);
      byAttempts.set(j.attempts, ids);
    }
    let n = 0;
    for (const [attempts, ids] of byAttempts) {
      for (const part of chunks(ids, COMPLETE_CHUNK)) n += await q.completeJobs(this.db.kysely, part, workerId, attempts, now);
    }
    return n;
  }

  /**
   * Schedules a retry after exponential backoff, or marks the job dead when its attempts are
   * spent. `error` is kept as last_error: pass codes and messages, never personal data.
   */
  async fail(job: JobRow, workerId: string, error: string): Promise<boolean> {
    const now = this.clock.now();
    const status = await q.failJob(this.db.kysely, fence(job, workerId), {
      now: iso(now),
      retryAt: iso(new Date(now.getTime() + retryDelayMs(job.attempts))),
      error: truncateError(error),
    });
    return status !== null;
  }

  /** Extends the lease of a job this worker holds; false means the lease is lost. */
  async heartbeat(job: JobRow, workerId: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    return q.extendLease(this.db.kysely, fence(job, workerId), iso(new Date(now.getTime() + leaseMs)), iso(now));
  }

  /** Returns jobs whose lease lapsed to the queue (or to dead when spent); returns how many. */
  async recoverExpired(): Promise<number> {
    return q.recoverExpiredJobs(this.db.kysely, iso(this.clock.now()), this.db.dialect === 'postgres');
  }

  async stats(queue?: string): Promise<JobStats> {
    const out = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as JobStats;
    for (const r of await q.countByStatus(this.db.kysely, queue)) {
      if (r.status in out) out[r.status as keyof JobStats] = Number(r.n);
    }
    return out;
  }

  private newRow(queue: string, j: BulkJob, now: string): q.NewJobRow {
    if (!queue) throw new RangeError('queue name is empty');
    const maxAttempts = j.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
    return {
      id: newId(),
      queue,
      idempotency_key: j.key ?? null,
      payload: JSON.stringify(j.payload ?? null),
      status: 'queued',
      attempts: 0,
      max_attempts: maxAttempts,
      run_at: j.runAt ? iso(j.runAt) : now,
      created_at: now,
      updated_at: now,
    };
  }
}

function fence(job: JobRow, workerId: string): q.LeaseFence {
  return { id: job.id, workerId, attempts: job.attempts };
}
