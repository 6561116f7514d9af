import type { Transaction } from 'kysely';
import type { JobRow } from '../../jobs/jobs.model.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { isId } from '../../lib/ids.ts';
import type { Database, Db } from '../database.ts';
import type { SegmentsService } from '../segments/module.ts';
import { Counters, type JourneyEngine, loadJourney, RUN_BATCH, type RunResult } from './journeys.engine.ts';
import { convert, GOAL_SWEEP, waitingAtGoal } from './journeys.goal.ts';
import type { JourneyEntry } from './journeys.entry.ts';
import * as q from './journeys.engine.queries.ts';

/** A segment trigger's members, 1,000 a job, chained: `{journeyId, pass, after?}`. */
export const ADMIT_QUEUE = 'journeys.admit';
/** A journey's due positions, a batch a job: `{journeyId, lane}`. */
export const RUN_QUEUE = 'journeys.run';

const ADMIT_PAGE = 1_000;
/** A run whose due positions another lane holds looks again this much later. */
const RECHECK_MS = 1_000;
/** A run may fail for a passing reason (a deadlock victim on PostgreSQL): many attempts cost little, and each is one batch. */
const RUN_MAX_ATTEMPTS = 50;

/** Lanes (run jobs per journey at once): 1 on SQLite (one writer), 2 on PostgreSQL; ASSENT_JOURNEY_LANES overrides. */
export function lanesFor(dialect: string, env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.ASSENT_JOURNEY_LANES);
  if (Number.isInteger(n) && n >= 1 && n <= 16) return n;
  return dialect === 'postgres' ? 2 : 1;
}

function parseRun(payload: unknown): { journeyId: string; lane: number } {
  const p = (payload ?? {}) as Record<string, unknown>;
  if (!isId(p.journeyId) || !Number.isInteger(p.lane)) throw new Error('journeys.run: malformed payload');
  return { journeyId: p.journeyId, lane: p.lane as number };
}

function parseAdmit(payload: unknown): { journeyId: string; pass: string; after?: string } {
  const p = (payload ?? {}) as Record<string, unknown>;
  if (!isId(p.journeyId) || typeof p.pass !== 'string') throw new Error('journeys.admit: malformed payload');
  return { journeyId: p.journeyId, pass: p.pass, ...(typeof p.after === 'string' ? { after: p.after } : {}) };
}

/**
 * The engine's work as jobs. Payloads hold ids only (the journey, a lane, a paging cursor).
 * Runs chain themselves: again at once after a full batch, else at the next due time, keyed
 * by it (`journeys.run:<id>:<lane>@<iso>`), so two runs ask for the next one once. The daily
 * tick schedules every live journey's next run again (a chain lost with an operator's purge of
 * jobs), and admits a segment trigger's new members (`joinLater`).
 */
export class JourneyJobs {
  readonly lanes: number;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly engine: JourneyEngine,
    private readonly entry: JourneyEntry,
    private readonly segments: Pick<SegmentsService, 'members' | 'memberPredicate'>,
  ) {
    this.lanes = lanesFor(db.dialect);
  }

  /** Runs of every lane, now (unkeyed: a run that finds nothing due costs one query) or at `at` (keyed by it). */
  async scheduleRuns(journeyId: string, trx?: Transaction<Database>, at?: Date): Promise<void> {
    const jobs = Array.from({ length: this.lanes }, (_, lane) => ({
      payload: { journeyId, lane },
      maxAttempts: RUN_MAX_ATTEMPTS,
      ...(at ? { runAt: at, key: `${RUN_QUEUE}:${journeyId}:${lane}@${at.toISOString()}` } : {}),
    }));
    await this.jobs.enqueueMany(RUN_QUEUE, jobs, trx ? { trx } : {});
  }

  /**
   * A run, and its follow-up in the run's own transaction (a crash after the commit cannot lose
   * the chain): again at once after a full batch, else at the next due time, keyed by it.
   */
  async run(payload: unknown, job: JobRow): Promise<void> {
    const { journeyId, lane } = parseRun(payload);
    await this.engine.run(journeyId, { follow: (trx, r) => this.follow(trx, journeyId, lane, job, r) });
  }

  private async follow(trx: Transaction<Database>, journeyId: string, lane: number, job: JobRow, r: RunResult): Promise<void> {
    const now = this.clock.now();
    const again = (at: Date, key: string) =>
      this.jobs.enqueue(RUN_QUEUE, { journeyId, lane }, { key, runAt: at, maxAttempts: RUN_MAX_ATTEMPTS, trx });
    const soon = `${RUN_QUEUE}:${journeyId}:${lane}:after:${job.id}`;
    // More due now: a full batch, or a graph changed under the preparation.
    if (r.again || r.taken >= RUN_BATCH) {
      await again(now, soon);
      return;
    }
    const next = await q.nextDue(trx, journeyId);
    if (next === null) return;
    const at = new Date(next);
    // Due already: this run's contacts at the step cap (again now), or positions another lane holds (look again shortly).
    if (at.getTime() <= now.getTime()) await again(r.taken > 0 ? now : new Date(now.getTime() + RECHECK_MS), soon);
    else await again(at, `${RUN_QUEUE}:${journeyId}:${lane}@${at.toISOString()}`);
  }

  /** The first admission job of a pass over a segment trigger's members (`live`: going live; a time: the tick's). */
  async startAdmission(journeyId: string, pass: string, trx?: Transaction<Database>): Promise<void> {
    await this.jobs.enqueue(ADMIT_QUEUE, { journeyId, pass }, { key: `${ADMIT_QUEUE}:${journeyId}:${pass}:`, ...(trx && { trx }) });
  }

  /**
   * One page of a segment trigger's members. The next page's job is enqueued in the same
   * transaction as this page's admission, keyed by the page's last contact: a page run again
   * (its job's lease lapsed after the commit) finds its follow-up there and does nothing twice.
   */
  async admitPage(payload: unknown): Promise<void> {
    const { journeyId, pass, after } = parseAdmit(payload);
    const before = await q.journeyRow(this.db.kysely, journeyId);
    if (before?.state !== 'live') return;
    const start = loadJourney(before).start;
    if (!start || !('segmentId' in start.trigger)) return;
    let members: { id: string }[];
    try {
      members = await this.segments.members(start.trigger.segmentId, ADMIT_PAGE, after);
    } catch (e) {
      if (e instanceof AppError && e.code === 'not_found') return;
      throw e;
    }
    if (members.length === 0) return;
    const last = members[members.length - 1]!.id;
    await this.db.kysely.transaction().execute(async (trx) => {
      const row = await q.journeyForWork(trx, journeyId);
      if (row?.state !== 'live') return;
      const next = { payload: { journeyId, pass, after: last }, key: `${ADMIT_QUEUE}:${journeyId}:${pass}:${last}` };
      if ((await this.jobs.enqueueMany(ADMIT_QUEUE, [next], { trx })) === 0) return;
      const a = await this.entry.admitIn(
        trx,
        loadJourney(row),
        members.map((m) => m.id),
        { countRefused: pass === 'live' },
      );
      if (a.entered > 0) await this.scheduleRuns(journeyId, trx);
    });
  }

  /**
   * The daily (ten-minute) tick: every live journey's next run, a segment trigger's new members,
   * and a segment goal met by contacts while they wait (a contact arriving at a tile is checked by
   * the run; one waiting three days would otherwise be counted converted only when its wait ends).
   */
  async tick(): Promise<void> {
    const now = this.clock.now();
    for (const row of await q.liveJourneys(this.db.kysely)) {
      const next = await q.nextDue(this.db.kysely, row.id);
      if (next !== null) await this.scheduleRuns(row.id, undefined, new Date(Math.max(new Date(next).getTime(), now.getTime())));
      const j = loadJourney(row);
      if (j.start && 'segmentId' in j.start.trigger && j.start.trigger.joinLater) await this.startAdmission(row.id, now.toISOString());
      if (j.goal && 'segmentId' in j.goal) await this.sweepGoal(row.id, j.goal.segmentId);
    }
  }

  /** Converts the journey's waiting contacts who are in its goal's segment, GOAL_SWEEP at most per tick. */
  async sweepGoal(journeyId: string, segmentId: string): Promise<number> {
    let goal: Awaited<ReturnType<SegmentsService['memberPredicate']>>;
    try {
      goal = await this.segments.memberPredicate(segmentId);
    } catch (e) {
      if (e instanceof AppError && e.code === 'not_found') return 0;
      throw e;
    }
    return this.db.kysely.transaction().execute(async (trx) => {
      const row = await q.journeyForWork(trx, journeyId);
      // The goal read in the transaction must still be this segment (changed since: the next tick's).
      const now = row?.state === 'live' ? loadJourney(row).goal : null;
      if (!now || !('segmentId' in now) || now.segmentId !== segmentId) return 0;
      const ids = await waitingAtGoal(trx, journeyId, goal, GOAL_SWEEP);
      const counters = new Counters();
      const n = await convert(trx, journeyId, ids, this.clock.now().toISOString(), counters);
      await q.addCounters(trx, journeyId, counters.map);
      return n;
    });
  }
}
