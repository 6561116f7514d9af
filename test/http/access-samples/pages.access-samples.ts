import type { PageInput } from '../../../src/modules/pages/module.ts';
import { type Samples, uniq } from '../../helpers/access-samples.ts';
import type { TestApp } from '../../helpers/app.ts';

const form = (t: TestApp) =>
  t.services.forms.create({ name: `Form ${uniq()}`, fields: [{ name: 'email', label: 'Email', maps: 'email', required: true }] });
const page = (): PageInput => ({ type: 'data_request', slug: `p-${uniq()}`, title: 'Your data' });
const made = async (t: TestApp) => (await t.services.pages.create(page())).id;

/**
 * A request that succeeds for each staff route of the pages module, and the forms' embed and
 * counts routes (test/helpers/access-suite.ts runs them).
 */
export const samples: Samples = {
  'POST /api/v1/pages': async () => ({ payload: page(), expect: 201 }),
  'GET /api/v1/pages': async () => ({ expect: 200 }),
  'POST /api/v1/pages/preview': async (t) => ({
    payload: { type: 'landing', slug: 'preview', title: 'Preview', formId: (await form(t)).id },
    expect: 200,
  }),
  'GET /api/v1/pages/:id': async (t) => ({ url: `/api/v1/pages/${await made(t)}`, expect: 200 }),
  'PATCH /api/v1/pages/:id': async (t) => {
    const id = await made(t);
    return { url: `/api/v1/pages/${id}`, payload: { title: `Renamed ${uniq()}` }, expect: 200, target: id };
  },
  'DELETE /api/v1/pages/:id': async (t) => {
    const id = await made(t);
    return { url: `/api/v1/pages/${id}`, expect: 204, target: id };
  },
  'GET /api/v1/pages/:id/counts': async (t) => ({ url: `/api/v1/pages/${await made(t)}/counts`, expect: 200 }),
  'GET /api/v1/forms/:id/embed': async (t) => ({ url: `/api/v1/forms/${(await form(t)).id}/embed`, expect: 200 }),
  'GET /api/v1/forms/:id/counts': async (t) => ({ url: `/api/v1/forms/${(await form(t)).id}/counts`, expect: 200 }),
};
