import { type Samples, uniq, contact, entity, entityRecord } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the entities module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/entities': async () => ({
    payload: { name: `e${uniq()}`, linked: true, erase: 'anonymise', fields: [{ name: 'code', type: 'text', personal: true }] },
    expect: 201,
  }),
  'GET /api/v1/entities': async () => ({ expect: 200 }),
  'GET /api/v1/entities/:name': async (t) => ({ url: `/api/v1/entities/${await entity(t)}`, expect: 200 }),
  'POST /api/v1/entities/:name/records': async (t) => ({
    url: `/api/v1/entities/${await entity(t)}/records`,
    payload: { contactId: (await contact(t)).id, fields: { note: 'hello' } },
    expect: 201,
  }),
  'GET /api/v1/entities/:name/records': async (t) => ({ url: `/api/v1/entities/${await entity(t)}/records?limit=5`, expect: 200 }),
  'GET /api/v1/entities/:name/records/:id': async (t) => {
    const r = await entityRecord(t);
    return { url: `/api/v1/entities/${r.name}/records/${r.id}`, expect: 200, target: r.id };
  },
  'PATCH /api/v1/entities/:name/records/:id': async (t) => {
    const r = await entityRecord(t);
    return { url: `/api/v1/entities/${r.name}/records/${r.id}`, payload: { fields: { note: 'changed' } }, expect: 200, target: r.id };
  },
  'DELETE /api/v1/entities/:name/records/:id': async (t) => {
    const r = await entityRecord(t);
    return { url: `/api/v1/entities/${r.name}/records/${r.id}`, expect: 204, target: r.id };
  },
};
