import type { Transaction } from 'kysely';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Clock } from '../../lib/clock.ts';
import { chunks } from '../../lib/chunks.ts';
import { isId } from '../../lib/ids.ts';
import type { Database, Db } from '../database.ts';
import { finishIfDrained } from './campaign.queries.ts';
import type { SendEngine } from './engine.pipeline.ts';
import type { BatchSelector } from './send.queries.ts';

/** The queue of pipeline batches: a campaign's sends in an id range, or sends by id (a direct send). */
export const BATCH_QUEUE = 'email.batch';
/** The queue that fixes a campaign's recipients (one job per campaign). */
export const PREPARE_QUEUE = 'email.prepare';

/** Sends per batch job: large enough that each query of the pipeline serves many, small enough for short transactions. */
export const BATCH_SIZE = 250;

/** A batch whose sends are still due now after a run (another run held them) is looked at again this much later. */
const RECHECK_MS = 5_000;

/** Payloads are ids only (jobs/CONTEXT.md): a campaign and the first and last send id of its range, or send ids. */
export function parseSelector(payload: unknown): BatchSelector {
  const p = (payload ?? {}) as Record<string, unknown>;
  if (Array.isArray(p.ids) && p.ids.length > 0 && p.ids.length <= BATCH_SIZE && p.ids.every(isId)) return { ids: p.ids as string[] };
  if (isId(p.campaignId) && isId(p.first) && isId(p.last)) return { campaignId: p.campaignId, first: p.first, last: p.last };
  throw new Error('email.batch: malformed payload');
}

/**
 * A batch may run again any number of times (each send moves only from a pending status, and a
 * hand-over that finds its sends taken releases nothing), while every crash of a worker costs each
 * batch it held one attempt: with the queue's default of five, five kills stranded a campaign's
 * queued sends for good (seen in the crash case). Its own failures (the database away) back off
 * up to the queue's longest wait, so many attempts cost little.
 */
const BATCH_MAX_ATTEMPTS = 50;

/** The key a batch's first job is enqueued under; its follow-ups (retries, deferrals) add their due time. */
function keyOf(sel: BatchSelector): string {
  return 'ids' in sel ? `email.send:${sel.ids[0]}` : `email.batch:${sel.campaignId}:${sel.first}`;
}

/** Enqueues the batches and runs them: the engine's work as jobs. */
export class EngineJobs {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly engine: SendEngine,
  ) {}

  /**
   * One job per BATCH_SIZE consecutive sends (ids in ascending order) of a campaign; `tag` keeps a resume's jobs apart from the first ones.
   */
  async enqueueCampaign(campaignId: string, sendIds: readonly string[], trx?: Transaction<Database>, tag = ''): Promise<void> {
    const jobs = chunks(sendIds, BATCH_SIZE).map((ids) => {
      const sel = { campaignId, first: ids[0]!, last: ids[ids.length - 1]! };
      return { payload: sel, key: `${keyOf(sel)}${tag}`, maxAttempts: BATCH_MAX_ATTEMPTS };
    });
    await this.jobs.enqueueMany(BATCH_QUEUE, jobs, trx ? { trx } : {});
  }

  /**
   * Batch jobs for sends by id (a journey's), BATCH_SIZE a job, inside the caller's transaction; keyed by the first id as a direct send's.
   */
  async enqueueSends(sendIds: readonly string[], trx: Transaction<Database>): Promise<void> {
    const jobs = chunks(sendIds, BATCH_SIZE).map((ids) => ({ payload: { ids }, key: keyOf({ ids }), maxAttempts: BATCH_MAX_ATTEMPTS }));
    await this.jobs.enqueueMany(BATCH_QUEUE, jobs, { trx });
  }

  async enqueueSend(sendId: string, trx?: Transaction<Database>): Promise<void> {
    const sel = { ids: [sendId] };
    await this.jobs.enqueue(BATCH_QUEUE, sel, { key: keyOf(sel), maxAttempts: BATCH_MAX_ATTEMPTS, ...(trx && { trx }) });
  }

  /**
   * Runs one batch. Sends it leaves pending (a retry's wait, quiet hours) get a follow-up job at
   * the time the first is due, keyed by that time, so two runs of the batch ask for it once.
   */
  async runBatch(payload: unknown): Promise<void> {
    const sel = parseSelector(payload);
    const r = await this.engine.run(sel);
    if (r.next) {
      const now = this.clock.now().getTime();
      const at = new Date(Math.max(r.next.getTime(), now + (r.next.getTime() <= now ? RECHECK_MS : 0)));
      await this.jobs.enqueue(BATCH_QUEUE, sel, { key: `${keyOf(sel)}@${at.toISOString()}`, runAt: at, maxAttempts: BATCH_MAX_ATTEMPTS });
    }
    if ('campaignId' in sel) await finishIfDrained(this.db.kysely, sel.campaignId, this.clock.now().toISOString());
  }
}
