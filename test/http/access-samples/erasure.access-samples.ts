import { type Samples, uniq, contact } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the erasure module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/contacts/:id/erase': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/erase`, expect: 200, target: c.id };
  },
  'GET /api/v1/erasures': async () => ({ url: '/api/v1/erasures?limit=5', expect: 200 }),
  'GET /api/v1/erasures/:id': async (t) => {
    const r = await t.services.erasure.erase({ contactIds: [(await contact(t)).id] }, { actor: { type: 'system', id: null } });
    return { url: `/api/v1/erasures/${r.receipts[0]!.id}`, expect: 200 };
  },
  'DELETE /api/v1/suppressions': async (t) => {
    const email = `gone${uniq()}@example.com`;
    await t.services.erasure.erase({ emails: [email] }, { actor: { type: 'system', id: null } });
    return { url: `/api/v1/suppressions?email=${encodeURIComponent(email)}`, expect: 204 };
  },
};
