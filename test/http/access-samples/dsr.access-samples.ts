import { type Samples, uniq, contact, dsrCase, dsrTask } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the dsr module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'GET /api/v1/contacts/:id/export': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/export`, expect: 200, target: c.id };
  },
  'POST /api/v1/requests': async () => ({
    payload: {
      type: 'access',
      email: `r${uniq()}@example.com`,
      receivedAt: '2026-01-02T10:00:00Z',
      verified: true,
      note: 'Letter with signature on file',
    },
    expect: 201,
  }),
  'GET /api/v1/requests': async () => ({ url: '/api/v1/requests?overdue=false&dueWithin=30&type=access', expect: 200 }),
  'GET /api/v1/stats/requests': async () => ({ expect: 200 }),
  'GET /api/v1/requests/:id': async (t) => {
    const r = await dsrCase(t);
    return { url: `/api/v1/requests/${r.id}`, expect: 200, target: r.id };
  },
  'PATCH /api/v1/requests/:id': async (t) => {
    const r = await dsrCase(t);
    return { url: `/api/v1/requests/${r.id}`, payload: { note: 'Called back' }, expect: 200, target: r.id };
  },
  'POST /api/v1/requests/:id/extend': async (t) => {
    const r = await dsrCase(t);
    return { url: `/api/v1/requests/${r.id}/extend`, payload: { reason: 'Several systems to search' }, expect: 200, target: r.id };
  },
  'POST /api/v1/requests/:id/fulfil': async (t) => {
    const r = await dsrCase(t);
    return { url: `/api/v1/requests/${r.id}/fulfil`, payload: {}, expect: 200, target: r.id };
  },
  'GET /api/v1/tasks': async () => ({ url: '/api/v1/tasks?status=open&limit=5', expect: 200 }),
  'GET /api/v1/tasks/:id': async (t) => {
    const task = await dsrTask(t);
    return { url: `/api/v1/tasks/${task.id}`, expect: 200, target: task.id };
  },
  'PATCH /api/v1/tasks/:id': async (t) => {
    const task = await dsrTask(t);
    return { url: `/api/v1/tasks/${task.id}`, payload: { status: 'done' }, expect: 200, target: task.id };
  },
};
