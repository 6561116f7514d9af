import { can } from '../../../src/http/access.ts';
import { ROLES } from '../../../src/http/principal.ts';
import { IMPORT_QUEUE } from '../../../src/modules/contacts/import.service.ts';
import type { TestApp } from '../../helpers/app.ts';
import { type Samples, uniq, contact } from '../../helpers/access-samples.ts';

/**
 * An import job's rejected lines are readable by admins and by the role that started it. The
 * suite asks the sample once per allowed role, in ROLES order: each call makes an import job
 * started by the role about to read it (called out of that order, the read answers 404).
 */
const IMPORTERS = ROLES.filter((r) => can(r, 'contacts', 'write'));
const calls = new WeakMap<TestApp, number>();

/** A request that succeeds for each route of the contacts module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/contacts': async () => ({ payload: { email: `new${uniq()}@Example.com`, firstName: 'Ana', country: 'PT' }, expect: 201 }),
  'GET /api/v1/contacts': async () => ({ url: '/api/v1/contacts?country=PT&limit=5', expect: 200 }),
  'GET /api/v1/contacts/duplicates': async () => ({ url: '/api/v1/contacts/duplicates?limit=5', expect: 200 }),
  'GET /api/v1/contacts/:id': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}`, expect: 200, target: c.id };
  },
  'PATCH /api/v1/contacts/:id': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}`, payload: { lastName: 'Silva' }, expect: 200, target: c.id };
  },
  'DELETE /api/v1/contacts/:id': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}`, expect: 204, target: c.id };
  },
  'GET /api/v1/contact-fields': async () => ({ expect: 200 }),
  'GET /api/v1/stats/contacts': async () => ({ expect: 200 }),
  'POST /api/v1/imports': async () => ({
    url: '/api/v1/imports?map=Name=firstName',
    headers: { 'content-type': 'text/csv' },
    payload: `email,Name\nimp${uniq()}@example.com,Ana\n`,
    expect: 200,
  }),
  'GET /api/v1/imports/:jobId/rejected': async (t) => {
    const n = calls.get(t) ?? 0;
    calls.set(t, n + 1);
    const role = IMPORTERS[n % IMPORTERS.length]!;
    const job = await t.services.progress.enqueue(IMPORT_QUEUE, {}, { role, type: 'api_key', id: null }, 0);
    return { url: `/api/v1/imports/${job.id}/rejected`, expect: 200, target: job.id };
  },
  'POST /api/v1/contact-fields': async () => ({ payload: { name: `f_${uniq()}`, type: 'text', personal: true }, expect: 201 }),
};
