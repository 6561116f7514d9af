import { jobHandlers } from '../../src/services.ts';
import { Worker } from '../../src/jobs/worker.ts';
import type { Services } from '../../src/services.ts';

/** Runs the product's handlers for `queues` until no job is due: what the background worker would do. */
export async function runJobs(s: Services, queues: string[]): Promise<number> {
  const all = jobHandlers(s);
  const worker = new Worker(s.jobs, { id: 'test-worker', queues: Object.fromEntries(queues.map((q) => [q, all[q]!])) });
  let total = 0;
  for (let n = await worker.runOnce(); n > 0; n = await worker.runOnce()) total += n;
  return total;
}
