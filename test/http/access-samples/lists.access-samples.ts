import { type Samples, uniq, contact } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the lists module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/lists': async () => ({ payload: { name: `List ${uniq()}` }, expect: 201 }),
  'GET /api/v1/lists': async () => ({ expect: 200 }),
  'GET /api/v1/lists/:listId': async (t) => {
    const l = await t.services.lists.create({ name: `L ${uniq()}` });
    return { url: `/api/v1/lists/${l.id}`, expect: 200 };
  },
  'PATCH /api/v1/lists/:listId': async (t) => {
    const l = await t.services.lists.create({ name: `L ${uniq()}` });
    return { url: `/api/v1/lists/${l.id}`, payload: { name: `Renamed ${uniq()}` }, expect: 200, target: l.id };
  },
  'GET /api/v1/contacts/:id/lists': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/lists`, expect: 200, target: c.id };
  },
  'PUT /api/v1/contacts/:id/lists/:listId': async (t) => {
    const c = await contact(t);
    const l = await t.services.lists.create({ name: `L ${uniq()}` });
    return { url: `/api/v1/contacts/${c.id}/lists/${l.id}`, payload: {}, expect: 200, target: c.id };
  },
  'DELETE /api/v1/contacts/:id/lists/:listId': async (t) => {
    const c = await contact(t);
    const l = await t.services.lists.create({ name: `L ${uniq()}` });
    await t.services.lists.join(c.id, l.id, { source: 'api', actor: { type: 'system', id: null } });
    return { url: `/api/v1/contacts/${c.id}/lists/${l.id}`, expect: 204, target: c.id };
  },
};
