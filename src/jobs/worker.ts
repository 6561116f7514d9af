import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { inParallel } from '../lib/parallel.ts';
import { describeError, type JobRow } from './jobs.model.ts';
import type { JobQueue } from './queue.ts';

export type JobHandler = (payload: unknown, job: JobRow) => Promise<void>;

/**
 * How long a claim holds a job without a heartbeat. Short, so the jobs of a worker that died are
 * run again within seconds (recovery happens at every worker's next round); a live worker
 * renews it every third of a lease, so two beats can be missed (a stalled event loop, a slow
 * database) before anyone else may take its jobs. A lease lost anyway costs a second run, which
 * keyed side effects make harmless; the fence keeps the first run's outcome from counting.
 */
const DEFAULT_LEASE_MS = 10_000;

export interface WorkerOptions {
  /** Names the lease holder; must be unique among live workers. */
  id?: string;
  queues: Record<string, JobHandler>;
  /** Jobs claimed per queue per round. */
  batchSize?: number;
  /** Handlers running at once; the rest of the batch waits its turn under a lease kept alive by heartbeats. */
  concurrency?: number;
  leaseMs?: number;
  /** Pause between rounds that found no work. */
  pollMs?: number;
  /** Infrastructure failures (database down); handler errors go to the job's last_error instead. */
  onError?: (err: unknown) => void;
}

/**
 * Claims batches from its queues and runs their handlers. Time for leases and backoff comes
 * from the queue's clock; the worker's own waits (polling, heartbeats) are real timers.
 */
export class Worker {
  readonly id: string;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly onError: (err: unknown) => void;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly queue: JobQueue,
    private readonly opts: WorkerOptions,
  ) {
    this.id = opts.id ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.batchSize = opts.batchSize ?? 20;
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.pollMs = opts.pollMs ?? 1_000;
    this.onError = opts.onError ?? ((e) => console.error(`job worker ${this.id}: ${describeError(e)}`));
  }

  /** One round: recover lapsed leases, then claim and run one batch per queue. Returns jobs run. */
  async runOnce(): Promise<number> {
    await this.queue.recoverExpired();
    let processed = 0;
    for (const [name, handler] of Object.entries(this.opts.queues)) {
      if (this.stopping) break;
      const jobs = await this.queue.claim(name, this.id, { limit: this.batchSize, leaseMs: this.leaseMs });
      processed += await this.runBatch(jobs, handler);
    }
    return processed;
  }

  start(): void {
    if (this.loop) throw new Error(`worker ${this.id} is already running`);
    this.stopping = false;
    this.loop = this.run();
  }

  /** Lets the batch in hand finish (claimed jobs are not abandoned to lease expiry), then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
    this.stopping = false;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let n = 0;
      try {
        n = await this.runOnce();
      } catch (e) {
        this.onError(e);
      }
      if (n === 0 && !this.stopping) await this.sleep(this.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = null;
    });
  }

  private async runBatch(jobs: JobRow[], handler: JobHandler): Promise<number> {
    if (jobs.length === 0) return 0;
    const held = new Map(jobs.map((j) => [j.id, j]));
    const stopBeating = this.keepLeases(held);
    let ran = 0;
    try {
      await inParallel(jobs, this.concurrency, async (job) => {
        // A lease lost while the job waited for a slot belongs to someone else now.
        if (!held.has(job.id)) return;
        ran++;
        await this.runJob(job, handler);
        held.delete(job.id);
      });
    } finally {
      await stopBeating();
    }
    return ran;
  }

  private async runJob(job: JobRow, handler: JobHandler): Promise<void> {
    let error: string | null = null;
    try {
      await handler(JSON.parse(job.payload), job);
    } catch (e) {
      error = describeError(e);
    }
    try {
      if (error === null) await this.queue.complete(job, this.id);
      else await this.queue.fail(job, this.id, error);
    } catch (e) {
      // The lease will lapse and the job run again: at-least-once, never lost.
      this.onError(e);
    }
  }

  /** Heartbeats the batch's unfinished jobs every third of a lease; a job whose lease is lost is dropped from `held`. */
  private keepLeases(held: Map<string, JobRow>): () => Promise<void> {
    let inFlight: Promise<void> = Promise.resolve();
    let busy = false;
    const beat = async (): Promise<void> => {
      try {
        for (const job of [...held.values()]) {
          if (!(await this.queue.heartbeat(job, this.id, this.leaseMs))) held.delete(job.id);
        }
      } catch (e) {
        this.onError(e);
      } finally {
        busy = false;
      }
    };
    const t = setInterval(
      () => {
        if (busy) return;
        busy = true;
        inFlight = beat();
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    t.unref();
    // Stopping waits for a beat in progress, so none outlives the batch (or the connection).
    return async () => {
      clearInterval(t);
      await inFlight;
    };
  }
}
