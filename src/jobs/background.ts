import type { JobQueue } from './queue.ts';
import { Worker, type JobHandler } from './worker.ts';

export interface BackgroundWork {
  /** Every queue the product runs and its handler (the modules' jobs, gathered by the composition root). */
  handlers: Record<string, JobHandler>;
  /** The daily work (scheduling the day's jobs, sweeps); run at start and every ten minutes, by every process at once. */
  daily: () => Promise<void>;
  onError: (err: unknown, what: 'worker' | 'daily') => void;
  /** A claimed job's lease (ASSENT_JOB_LEASE_MS); the worker's default when absent. */
  leaseMs?: number;
}

/** The background worker a serving process (or `assent worker`) runs. */
export function startBackground(jobs: JobQueue, work: BackgroundWork): { stop(): Promise<void> } {
  const worker = new Worker(jobs, { queues: work.handlers, leaseMs: work.leaseMs, onError: (e) => work.onError(e, 'worker') });
  const tick = () => void work.daily().catch((e: unknown) => work.onError(e, 'daily'));
  tick();
  const timer = setInterval(tick, 10 * 60_000);
  timer.unref();
  worker.start();
  return {
    stop: async () => {
      clearInterval(timer);
      await worker.stop();
    },
  };
}
