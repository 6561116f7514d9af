import { type Samples, uniq, contact } from '../../helpers/access-samples.ts';
import type { TestApp } from '../../helpers/app.ts';

const lead = async (t: TestApp) => (await t.services.leads.create({ contactId: (await contact(t)).id, title: `Lead ${uniq()}` })).id;
const leadField = async (t: TestApp) => (await t.services.leadFields.define({ name: `f${uniq()}`, type: 'text', personal: false })).id;

/** A request that succeeds for each route of the leads module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/leads': async (t) => ({ payload: { contactId: (await contact(t)).id, title: 'Renewal' }, expect: 201 }),
  'GET /api/v1/leads': async () => ({ url: '/api/v1/leads?limit=5', expect: 200 }),
  'GET /api/v1/leads/:id': async (t) => {
    const id = await lead(t);
    return { url: `/api/v1/leads/${id}`, expect: 200, target: id };
  },
  'PATCH /api/v1/leads/:id': async (t) => {
    const id = await lead(t);
    return { url: `/api/v1/leads/${id}`, payload: { status: 'qualified' }, expect: 200, target: id };
  },
  'DELETE /api/v1/leads/:id': async (t) => {
    const id = await lead(t);
    return { url: `/api/v1/leads/${id}`, expect: 204, target: id };
  },
  'GET /api/v1/lead-fields': async () => ({ expect: 200 }),
  'POST /api/v1/lead-fields': async () => ({ payload: { name: `f${uniq()}`, type: 'number', personal: false }, expect: 201 }),
  'DELETE /api/v1/lead-fields/:id': async (t) => {
    const id = await leadField(t);
    return { url: `/api/v1/lead-fields/${id}`, expect: 204, target: id };
  },
};
