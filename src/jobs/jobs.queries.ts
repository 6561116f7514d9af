import type { ExpressionBuilder, Insertable, Kysely, Transaction } from 'kysely';
import type { JobRow, JobStatus } from './jobs.model.ts';
import type { JobsDatabase, JobsTable } from './jobs.table.ts';

type Executor = Kysely<JobsDatabase> | Transaction<JobsDatabase>;

const JOB_COLUMNS = [
  'id',
  'queue',
  'idempotency_key',
  'payload',
  'status',
  'attempts',
  'max_attempts',
  'run_at',
  'locked_by',
  'locked_until',
  'last_error',
  'created_at',
  'updated_at',
  'finished_at',
] as const satisfies readonly (keyof JobsTable)[];

export type NewJobRow = Insertable<JobsTable>;

/**
 * The proof of holding a lease: attempts grows on every claim, so a worker that re-claims its own job still cannot finish the earlier
 * attempt.
 */
export interface LeaseFence {
  id: string;
  workerId: string;
  attempts: number;
}

/**
 * The fence as a condition, the one place it is written: the row is still running, claimed by
 * this worker, in this attempt. Every write of a lease holder (complete, fail, heartbeat) is
 * made under it, and is refused (no row) when another worker holds the job now.
 */
function holds(eb: ExpressionBuilder<JobsDatabase, 'jobs'>, f: Omit<LeaseFence, 'id'>) {
  return eb.and([eb('locked_by', '=', f.workerId), eb('attempts', '=', f.attempts), eb('status', '=', 'running')]);
}

/** Inserts unless the idempotency key exists; returns the new row, or undefined when it did. */
export async function insertJob(db: Executor, row: NewJobRow): Promise<JobRow | undefined> {
  return db
    .insertInto('jobs')
    .values(row)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** One multi-row insert; rows whose key exists are skipped. Returns how many were inserted. */
export async function insertJobs(db: Executor, rows: NewJobRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await db
    .insertInto('jobs')
    .values(rows)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n);
}

export async function jobByKey(db: Executor, key: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

export async function jobById(db: Executor, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Claims ready jobs in one statement: `WITH picked AS MATERIALIZED (SELECT … LIMIT n) UPDATE
 * jobs … FROM picked … RETURNING`. Two shapes that look equivalent are not:
 * - `WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL may plan it as a
 *   nested loop that re-runs the subquery per outer row, each re-run skipping the rows this
 *   statement already took and picking n more (a claim of 20 returned 40). Materializing
 *   the pick runs it once.
 * - `WHERE id IN (SELECT id FROM picked) AND status = …`: SQLite, without statistics, drives
 *   that update from the status index and walks every queued job per claim. Joining `picked`
 *   makes it look each picked id up by primary key.
 * On PostgreSQL `skipLocked` lets concurrent claimers pass over each other's rows instead of
 * queueing behind them; the status check on the joined row keeps a row that another claimer
 * committed first from being taken twice.
 */
export async function claimJobs(
  db: Executor,
  p: { queue: string; workerId: string; limit: number; now: string; lockedUntil: string; skipLocked: boolean },
): Promise<JobRow[]> {
  return (
    db
      .with(
        (cte) => cte('picked').materialized(),
        (qc) =>
          qc
            .selectFrom('jobs')
            .select('id as job_id')
            .where('queue', '=', p.queue)
            .where('status', '=', 'queued')
            .where('run_at', '<=', p.now)
            .orderBy('run_at')
            .orderBy('id')
            .limit(p.limit)
            .$if(p.skipLocked, (qb) => qb.forUpdate().skipLocked()),
      )
      .updateTable('jobs')
      .from('picked')
      .set((eb) => ({
        status: 'running',
        locked_by: p.workerId,
        locked_until: p.lockedUntil,
        attempts: eb('attempts', '+', 1),
        updated_at: p.now,
      }))
      .whereRef('jobs.id', '=', 'picked.job_id')
      .where('jobs.status', '=', 'queued')
      // Named, not `*`: PostgreSQL's * would add picked's columns, and SQLite allows no `jobs.*` here.
      .returning(JOB_COLUMNS)
      .execute()
  );
}

export async function completeJob(db: Executor, f: LeaseFence, now: string): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ status: 'done', locked_by: null, locked_until: null, finished_at: now, updated_at: now })
    .where('id', '=', f.id)
    .where((eb) => holds(eb, f))
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Completes many jobs of one worker that share an attempt count (the fence), in one statement. */
export async function completeJobs(db: Executor, ids: string[], workerId: string, attempts: number, now: string): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('jobs')
    .set({ status: 'done', locked_by: null, locked_until: null, finished_at: now, updated_at: now })
    .where('id', 'in', ids)
    .where((eb) => holds(eb, { workerId, attempts }))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Releases the job for a retry at `retryAt`, or buries it when its attempts are spent. The
 * decision is taken in the statement, from the row itself, so it cannot disagree with the
 * stored limit. Returns the resulting status, or null when the fence refused.
 */
export async function failJob(db: Executor, f: LeaseFence, p: { now: string; retryAt: string; error: string }): Promise<JobStatus | null> {
  const row = await db
    .updateTable('jobs')
    .set((eb) => {
      const spent = eb('attempts', '>=', eb.ref('max_attempts'));
      return {
        status: eb.case().when(spent).then('dead').else('queued').end(),
        run_at: eb.case().when(spent).then(eb.ref('run_at')).else(p.retryAt).end(),
        finished_at: eb.case().when(spent).then(p.now).else(null).end(),
        locked_by: null,
        locked_until: null,
        last_error: p.error,
        updated_at: p.now,
      };
    })
    .where('id', '=', f.id)
    .where((eb) => holds(eb, f))
    .returning('status')
    .executeTakeFirst();
  return row ? (row.status as JobStatus) : null;
}

export async function extendLease(db: Executor, f: LeaseFence, lockedUntil: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ locked_until: lockedUntil, updated_at: now })
    .where('id', '=', f.id)
    .where((eb) => holds(eb, f))
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Puts jobs whose holder let the lease lapse back in line (to run now), or buries them when
 * their attempts are spent: a job that kills its worker every time must not loop forever.
 * Rows another recoverer is already handling are skipped rather than waited for; the pick is
 * materialized so PostgreSQL runs it once (see claimJobs). Driving this update from the
 * status index is right here: the index is (status, locked_until).
 */
export async function recoverExpiredJobs(db: Executor, now: string, skipLocked: boolean): Promise<number> {
  const r = await db
    .with(
      (cte) => cte('expired').materialized(),
      (qc) =>
        qc
          .selectFrom('jobs')
          .select('id')
          .where('status', '=', 'running')
          .where('locked_until', '<', now)
          .$if(skipLocked, (qb) => qb.forUpdate().skipLocked()),
    )
    .updateTable('jobs')
    .set((eb) => {
      const spent = eb('attempts', '>=', eb.ref('max_attempts'));
      return {
        status: eb.case().when(spent).then('dead').else('queued').end(),
        run_at: eb.case().when(spent).then(eb.ref('run_at')).else(now).end(),
        finished_at: eb.case().when(spent).then(now).else(null).end(),
        locked_by: null,
        locked_until: null,
        last_error: 'lease_expired',
        updated_at: now,
      };
    })
    .where('id', 'in', (eb) => eb.selectFrom('expired').select('expired.id'))
    .where('status', '=', 'running')
    .where('locked_until', '<', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function countByStatus(db: Executor, queue?: string): Promise<{ status: string; n: number }[]> {
  return db
    .selectFrom('jobs')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .$if(queue !== undefined, (qb) => qb.where('queue', '=', queue!))
    .groupBy('status')
    .execute();
}
