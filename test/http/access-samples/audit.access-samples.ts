import type { Samples } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the audit module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'GET /api/v1/audit': async () => ({ expect: 200 }),
  'GET /api/v1/audit/actors': async () => ({ expect: 200 }),
};
