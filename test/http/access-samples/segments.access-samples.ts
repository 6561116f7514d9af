import { type Samples, uniq, segment, contact } from '../../helpers/access-samples.ts';

/** A request that succeeds for each route of the segments module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/segments': async () => ({
    payload: { name: 'Germans', kind: 'dynamic', filter: { field: 'country', op: '=', value: 'DE' } },
    expect: 201,
  }),
  'GET /api/v1/segments': async () => ({ expect: 200 }),
  'POST /api/v1/segments/preview': async () => ({ payload: { filter: { consent: { atLeast: 2 } } }, expect: 200 }),
  'GET /api/v1/segments/:id': async (t) => {
    const seg = await segment(t);
    return { url: `/api/v1/segments/${seg.id}`, expect: 200, target: seg.id };
  },
  'PATCH /api/v1/segments/:id': async (t) => {
    const seg = await segment(t);
    return { url: `/api/v1/segments/${seg.id}`, payload: { name: 'Renamed' }, expect: 200, target: seg.id };
  },
  'DELETE /api/v1/segments/:id': async (t) => {
    const seg = await segment(t);
    return { url: `/api/v1/segments/${seg.id}`, expect: 204, target: seg.id };
  },
  'POST /api/v1/segments/:id/snapshot': async (t) => {
    const seg = await t.services.segments.create({ name: `S ${uniq()}`, kind: 'static', filter: { consent: { atLeast: 0 } } });
    return { url: `/api/v1/segments/${seg.id}/snapshot`, expect: 200, target: seg.id };
  },
  'GET /api/v1/segments/:id/count': async (t) => {
    const seg = await segment(t);
    return { url: `/api/v1/segments/${seg.id}/count`, expect: 200, target: seg.id };
  },
  'GET /api/v1/segments/:id/members': async (t) => {
    const seg = await segment(t);
    return { url: `/api/v1/segments/${seg.id}/members?limit=3`, expect: 200, target: seg.id };
  },
  'GET /api/v1/segments/:id/explain': async (t) => {
    const seg = await segment(t);
    const c = await contact(t);
    return { url: `/api/v1/segments/${seg.id}/explain?contact=${c.id}`, expect: 200, target: c.id };
  },
};
