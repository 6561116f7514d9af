import { type Samples, uniq, contact, segment } from '../../helpers/access-samples.ts';

/** A request that succeeds for each bulk route (test/helpers/access-suite.ts runs them); test/http/bulk.test.ts holds the behaviour. */
export const samples: Samples = {
  'POST /api/v1/lists/:listId/members': async (t) => {
    const l = await t.services.lists.create({ name: `L ${uniq()}` });
    const c = await contact(t);
    return { url: `/api/v1/lists/${l.id}/members`, payload: { contactIds: [c.id] }, expect: 200, target: l.id };
  },
  'POST /api/v1/lists/:listId/members/remove': async (t) => {
    const l = await t.services.lists.create({ name: `L ${uniq()}` });
    const c = await contact(t);
    return { url: `/api/v1/lists/${l.id}/members/remove`, payload: { contactIds: [c.id] }, expect: 200, target: l.id };
  },
  'POST /api/v1/consent/bulk': async (t) => {
    const c = await contact(t);
    return { payload: { contactIds: [c.id], level: 2, source: 'api' }, expect: 200 };
  },
  'POST /api/v1/requests/bulk-erasure': async (t) => {
    const c = await contact(t);
    return { payload: { contactIds: [c.id], note: 'Asked in writing; identity checked' }, expect: 200 };
  },
  'GET /api/v1/contacts/export': async (t) => {
    const s = await segment(t);
    return { url: `/api/v1/contacts/export?segment=${s.id}`, expect: 200, target: s.id };
  },
};
