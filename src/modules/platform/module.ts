import { migrationsDataMap } from '../../db/migrations.data-map.ts';
import { rateLimitDataMap } from '../../http/rate-limit.data-map.ts';
import { RateLimiter } from '../../http/rate-limit.ts';
import type { RateLimitsTable } from '../../http/rate-limit.table.ts';
import { jobsDataMap } from '../../jobs/jobs.data-map.ts';
import type { JobsDatabase } from '../../jobs/jobs.table.ts';
import { JobProgress } from '../../jobs/progress.ts';
import { JobQueue } from '../../jobs/queue.ts';
import { defineModule } from '../module.ts';
import { settings } from '../settings/module.ts';
import { jobsRoutes } from './jobs.routes.ts';
import * as m0017 from './migrations/0017_platform_job_progress.ts';

// What other modules use to start work someone waits on, and to report its progress.
export type { JobOwner, JobProgress, JobView, ProgressStatus } from '../../jobs/progress.ts';
export { JobProgressSchema, mayRead } from './jobs.routes.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database extends JobsDatabase {
    rate_limits: RateLimitsTable;
  }
}

/**
 * What the lower layers give the modules (the job queue, the rate limiter), with their tables
 * (jobs, side effects, rate limits, the migrations' own): those layers import no module, so
 * their declarations are gathered here. The rate limiter keys its counters under the
 * installation secret, hence settings.
 */
export const platform = defineModule({
  name: 'platform',
  needs: [settings],
  dataMap: [...migrationsDataMap, ...jobsDataMap, ...rateLimitDataMap],
  migrations: { '0017_platform_job_progress': m0017 },
  create: (core, deps) => {
    const jobs = new JobQueue(core.db, core.clock);
    return {
      jobs,
      progress: new JobProgress(core.db, core.clock, jobs),
      rateLimiter: new RateLimiter(core.db, core.clock, () => deps.secret.key()),
    };
  },
  routes: (s) => [{ prefix: '/api/v1', plugin: jobsRoutes(s) }],
});
