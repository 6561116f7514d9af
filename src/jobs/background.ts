import { SYSTEM_ACTOR } from '../modules/audit/audit.model.ts';
import { PURGE_QUEUE } from '../modules/dsr/purge.service.ts';
import { LINK_QUEUE } from '../modules/dsr/requests.intake.ts';
import type { Services } from '../services.ts';
import { Worker, type JobHandler } from './worker.ts';

/**
 * Every queue the product runs and its handler. Payloads carry ids and options only. A job can
 * run more than once (its worker dies, its lease lapses): every handler keys its side effects
 * so that a second run does none of them again (see effects.ts).
 */
export function jobHandlers(s: Services): Record<string, JobHandler> {
  return {
    // Deleting expired rows twice deletes nothing more; the run's audit entry is keyed by the job.
    retention: async (_payload, job) => {
      await s.retention.run({ actor: SYSTEM_ACTOR, key: job.idempotency_key ?? `job:${job.id}` });
    },
    // The mail is keyed by the case (the job's key), its case moves conditionally.
    [LINK_QUEUE]: (payload) => s.requestIntake.sendQueuedLink(payload),
    [PURGE_QUEUE]: (payload) => s.erasure.purges.run(payload),
  };
}

/**
 * Schedules the daily jobs: one retention run per UTC day at 03:00, keyed by the date, so
 * any number of processes scheduling at once still make exactly one job.
 */
export async function scheduleDaily(s: Services): Promise<void> {
  const now = s.clock.now();
  const day = now.toISOString().slice(0, 10);
  const runAt = new Date(`${day}T03:00:00.000Z`);
  await s.jobs.enqueue('retention', {}, { key: `retention:${day}`, runAt: runAt < now ? now : runAt, maxAttempts: 3 });
  // Storage purges whose job ran before their erasure committed get another (docs/storage.md).
  await s.erasure.purges.sweep();
}

/** The background worker a serving process (or `assent worker`) runs. */
export function startBackground(s: Services): { stop(): Promise<void> } {
  const worker = new Worker(s.jobs, { queues: jobHandlers(s), onError: (e) => s.log.error({ err: e }, 'job worker error') });
  const tick = () => void scheduleDaily(s).catch((e: unknown) => s.log.error({ err: e }, 'scheduling failed'));
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
