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
  'GET /api/v1/undeliverable': async () => ({ expect: 200 }),
  'POST /api/v1/undeliverable/clear': async (t) => {
    const email = `u${uniq()}@example.com`;
    const { outcomes } = await t.services.bounces.receive(dsnReport({ recipient: email }), {
      source: 'api',
      actor: { type: 'system', id: null },
      requireSend: false,
    });
    return { payload: { email }, expect: 200, target: outcomes[0]!.id! };
  },
};
