import { ROLES } from '../../../src/http/principal.ts';
import type { TestApp } from '../../helpers/app.ts';
import type { Samples } from '../../helpers/access-samples.ts';

/**
 * A tracked job is readable by admins and by the role that started it (test/http/jobs.test.ts
 * holds the matrix). The suite asks this sample once per role, in ROLES order, for a route every
 * signed-in role may call: each call makes a job started by the role about to read it. Called out
 * of that order, the read answers 404 and the suite fails: it does not pass by accident.
 */
const calls = new WeakMap<TestApp, number>();

export const samples: Samples = {
  'GET /api/v1/jobs/:id': async (t) => {
    const n = calls.get(t) ?? 0;
    calls.set(t, n + 1);
    const role = ROLES[n % ROLES.length]!;
    const job = await t.services.progress.enqueue('access-sample', {}, { role, type: 'api_key', id: null }, 1);
    return { url: `/api/v1/jobs/${job.id}`, expect: 200, target: job.id };
  },
};
