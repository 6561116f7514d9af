import type { Samples } from '../../helpers/access-samples.ts';
import { transportOf } from '../../helpers/mail.ts';

/** A request that succeeds for each route of the mail module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'GET /api/v1/outbox': async () => ({ expect: 200 }),
  'GET /api/v1/outbox/:id': async (t) => {
    const r = await transportOf(t.services).send({ to: 'reader@example.com', subject: 'Hello', text: 'Hi' });
    return { url: `/api/v1/outbox/${r.id}`, expect: 200, target: r.id };
  },
};
