import { audit, SYSTEM_ACTOR } from '../audit/module.ts';
import { datamap } from '../datamap/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { retentionRoutes } from './retention.routes.ts';
import { RetentionService } from './retention.service.ts';

/** Deletes what the data map says has expired; a daily job, keyed by the date. */
export const retention = defineModule({
  name: 'retention',
  needs: [platform, datamap, audit],
  dataMap: [],
  create: (core, deps) => ({ retention: new RetentionService(core.db, core.clock, deps.datamap, deps.audit) }),
  routes: (s) => [{ prefix: '/api/v1', plugin: retentionRoutes(s) }],
  jobs: (s) => ({
    // Deleting expired rows twice deletes nothing more; the run's audit entry is keyed by the job.
    retention: async (_payload, job) => {
      await s.retention.run({ actor: SYSTEM_ACTOR, key: job.idempotency_key ?? `job:${job.id}` });
    },
  }),
  // One retention run per UTC day at 03:00, keyed by the date, so any number of processes
  // scheduling at once still make exactly one job.
  daily: async (s) => {
    const now = s.clock.now();
    const day = now.toISOString().slice(0, 10);
    const runAt = new Date(`${day}T03:00:00.000Z`);
    await s.jobs.enqueue('retention', {}, { key: `retention:${day}`, runAt: runAt < now ? now : runAt, maxAttempts: 3 });
  },
});
