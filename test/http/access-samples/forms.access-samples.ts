import type { FormInput } from '../../../src/modules/forms/forms.service.ts';
import { type Samples, uniq } from '../../helpers/access-samples.ts';
import type { TestApp } from '../../helpers/app.ts';

const form = (): FormInput => ({
  name: `Form ${uniq()}`,
  fields: [{ name: 'email', label: 'Email', maps: 'email', required: true }],
});

const made = async (t: TestApp) => (await t.services.forms.create(form())).id;

/** A request that succeeds for each staff route of the forms module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/forms': async () => ({ payload: form(), expect: 201 }),
  'GET /api/v1/forms': async () => ({ expect: 200 }),
  'GET /api/v1/forms/:id': async (t) => {
    const id = await made(t);
    return { url: `/api/v1/forms/${id}`, expect: 200 };
  },
  'PATCH /api/v1/forms/:id': async (t) => {
    const id = await made(t);
    return { url: `/api/v1/forms/${id}`, payload: { name: `Renamed ${uniq()}` }, expect: 200, target: id };
  },
  'DELETE /api/v1/forms/:id': async (t) => {
    const id = await made(t);
    return { url: `/api/v1/forms/${id}`, expect: 204, target: id };
  },
};
