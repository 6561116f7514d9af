import type { Samples } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the retention module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'GET /api/v1/retention/preview': async () => ({ expect: 200 }),
  'POST /api/v1/retention/run': async () => ({ expect: 200 }),
};
