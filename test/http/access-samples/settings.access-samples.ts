import type { Samples } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the settings module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'GET /api/v1/settings': async () => ({ expect: 200 }),
  'GET /api/v1/settings/consent-levels': async () => ({ expect: 200 }),
  'PATCH /api/v1/settings': async () => ({ payload: { publicBaseUrl: 'https://news.example.com' }, expect: 200 }),
};
