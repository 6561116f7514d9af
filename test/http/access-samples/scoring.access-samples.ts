import { newId } from '../../../src/lib/ids.ts';
import type { TestApp } from '../../helpers/app.ts';
import { contact, type Samples, uniq } from '../../helpers/access-samples.ts';

const MODEL = () => ({
  name: `Model ${uniq()}`,
  rules: [{ name: 'German', condition: { field: 'country', op: '=', value: 'DE' }, points: 10 }],
  grades: { A: 40, B: 30, C: 20, D: 10 },
  salesReady: 30,
});

const model = (t: TestApp) => t.services.scoring.create(MODEL());

/** A lead, inserted as the leads table holds it (the leads module's API is its own). */
async function lead(t: TestApp): Promise<string> {
  const c = await contact(t);
  const id = newId();
  const now = new Date().toISOString();
  await t.services.db.kysely
    .insertInto('leads')
    .values({ id, contact_id: c.id, title: 'Deal', status: 'open', owner_id: null, value: null, created_at: now, updated_at: now })
    .execute();
  return id;
}

/** A request that succeeds for each route of the scoring module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/scoring-models': async () => ({ payload: MODEL(), expect: 201 }),
  'GET /api/v1/scoring-models': async () => ({ expect: 200 }),
  'GET /api/v1/scoring-models/:id': async (t) => {
    const m = await model(t);
    return { url: `/api/v1/scoring-models/${m.id}`, expect: 200, target: m.id };
  },
  'PATCH /api/v1/scoring-models/:id': async (t) => {
    const m = await model(t);
    return { url: `/api/v1/scoring-models/${m.id}`, payload: { name: 'Renamed' }, expect: 200, target: m.id };
  },
  'DELETE /api/v1/scoring-models/:id': async (t) => {
    const m = await model(t);
    return { url: `/api/v1/scoring-models/${m.id}`, expect: 204, target: m.id };
  },
  'POST /api/v1/scoring-models/:id/recompute': async (t) => {
    const m = await model(t);
    return { url: `/api/v1/scoring-models/${m.id}/recompute`, expect: 202, target: m.id };
  },
  'GET /api/v1/scoring-models/:id/recompute': async (t) => {
    const m = await model(t);
    return { url: `/api/v1/scoring-models/${m.id}/recompute`, expect: 200, target: m.id };
  },
  'GET /api/v1/scoring-models/:id/distribution': async (t) => {
    const m = await model(t);
    return { url: `/api/v1/scoring-models/${m.id}/distribution`, expect: 200, target: m.id };
  },
  'GET /api/v1/scoring-models/:id/leads': async (t) => {
    const m = await model(t);
    return { url: `/api/v1/scoring-models/${m.id}/leads?limit=3`, expect: 200, target: m.id };
  },
  'GET /api/v1/leads/:id/scores': async (t) => {
    const id = await lead(t);
    return { url: `/api/v1/leads/${id}/scores`, expect: 200, target: id };
  },
};
