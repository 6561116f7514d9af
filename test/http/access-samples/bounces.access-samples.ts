import type { Samples } from '../../helpers/access-samples.ts';
import { uniq } from '../../helpers/access-samples.ts';
import { dsnReport } from '../../fixtures/email/dsn.samples.ts';

/** A request that succeeds for each bounce route of the email module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/bounces': async () => ({
    payload: { raw: dsnReport({ recipient: `b${uniq()}@example.com` }).toString('base64') },
    expect: 200,
  }),
  'GET /api/v1/bounces': async () => ({ expect: 200 }),
};
