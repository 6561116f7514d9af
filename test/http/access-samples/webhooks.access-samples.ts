import { type Samples, uniq } from '../../helpers/access-samples.ts';
import type { TestApp } from '../../helpers/app.ts';

const hook = (t: TestApp) => t.services.webhooks.create({ url: `https://hooks.example.com/${uniq()}`, events: ['contact.created'] });

/** A request that succeeds for each route of the webhooks module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/webhooks': async () => ({
    payload: { url: `https://hooks.example.com/${uniq()}`, events: ['contact.created', 'consent.changed'] },
    expect: 201,
  }),
  'GET /api/v1/webhooks': async () => ({ expect: 200 }),
  'GET /api/v1/webhooks/event-types': async () => ({ expect: 200 }),
  'GET /api/v1/webhooks/:id': async (t) => {
    const w = await hook(t);
    return { url: `/api/v1/webhooks/${w.id}`, expect: 200 };
  },
  'PATCH /api/v1/webhooks/:id': async (t) => {
    const w = await hook(t);
    return { url: `/api/v1/webhooks/${w.id}`, payload: { status: 'disabled' }, expect: 200, target: w.id };
  },
  'DELETE /api/v1/webhooks/:id': async (t) => {
    const w = await hook(t);
    return { url: `/api/v1/webhooks/${w.id}`, expect: 204, target: w.id };
  },
  'GET /api/v1/webhooks/:id/deliveries': async (t) => {
    const w = await hook(t);
    return { url: `/api/v1/webhooks/${w.id}/deliveries`, expect: 200 };
  },
};
