import { type Samples, contact, uniq } from '../../helpers/access-samples.ts';
import type { TestApp } from '../../helpers/app.ts';

const message = (t: TestApp) =>
  t.services.messages.create({
    name: `Message ${uniq()}`,
    purpose: 'marketing',
    subject: 'Hello {{ contact.firstName }}',
    html: '<p>Hello</p><a href="{{ unsubscribe_url }}">Unsubscribe</a>',
  });

/** A request that succeeds for each route of the email module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/messages': async () => ({
    payload: { name: `M ${uniq()}`, purpose: 'transactional', subject: 'Your receipt', html: '<p>Thank you</p>' },
    expect: 201,
  }),
  'GET /api/v1/messages': async () => ({ expect: 200 }),
  'GET /api/v1/messages/:id': async (t) => {
    const m = await message(t);
    return { url: `/api/v1/messages/${m.id}`, expect: 200, target: m.id };
  },
  'PATCH /api/v1/messages/:id': async (t) => {
    const m = await message(t);
    return { url: `/api/v1/messages/${m.id}`, payload: { name: `Renamed ${uniq()}` }, expect: 200, target: m.id };
  },
  'DELETE /api/v1/messages/:id': async (t) => {
    const m = await message(t);
    return { url: `/api/v1/messages/${m.id}`, expect: 204, target: m.id };
  },
  'POST /api/v1/messages/:id/preview': async (t) => {
    const [m, c] = await Promise.all([message(t), contact(t)]);
    return { url: `/api/v1/messages/${m.id}/preview`, payload: { contactId: c.id }, expect: 200, target: c.id };
  },
  'POST /api/v1/messages/:id/test': async (t) => {
    const m = await message(t);
    return { url: `/api/v1/messages/${m.id}/test`, payload: { to: `staff${uniq()}@example.com` }, expect: 202, target: m.id };
  },
};
