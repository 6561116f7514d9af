import { newId } from '../../../src/lib/ids.ts';
import { PREPARE_QUEUE } from '../../../src/modules/email/engine.jobs.ts';
import { contact, type Samples, segment, uniq } from '../../helpers/access-samples.ts';
import type { TestApp } from '../../helpers/app.ts';
import { runJobs } from '../../helpers/jobs.ts';

/** A message row as the messages service stores it (written here directly so these samples need no other route). */
async function message(t: TestApp, purpose = 'transactional'): Promise<string> {
  const id = newId();
  const now = new Date().toISOString();
  await t.services.db.kysely
    .insertInto('messages')
    .values({
      id,
      name: `Message ${uniq()}`,
      purpose,
      list_id: null,
      from_name: null,
      from_email: null,
      reply_to: null,
      subject: 'Hello',
      html: '<p>Hello</p>',
      text: null,
      blocks: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/** A campaign that has fixed its recipients and is sending. */
async function sending(t: TestApp): Promise<string> {
  const c = await t.services.campaigns.start(await message(t), (await segment(t)).id, null);
  await runJobs(t.services, [PREPARE_QUEUE]);
  return c.id;
}

/** A request that succeeds for each sending and campaign route of the email module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/messages/:id/send': async (t) => {
    const m = await message(t);
    return { url: `/api/v1/messages/${m}/send`, payload: { contactId: (await contact(t)).id }, expect: 202, target: m };
  },
  'POST /api/v1/messages/:id/audience': async (t) => {
    const m = await message(t);
    return { url: `/api/v1/messages/${m}/audience`, payload: { segmentId: (await segment(t)).id }, expect: 200 };
  },
  'GET /api/v1/sends': async () => ({ expect: 200 }),
  'GET /api/v1/campaigns': async () => ({ expect: 200 }),
  'GET /api/v1/campaigns/:id': async (t) => {
    const id = await sending(t);
    return { url: `/api/v1/campaigns/${id}`, expect: 200, target: id };
  },
  'POST /api/v1/campaigns/:id/pause': async (t) => {
    const id = await sending(t);
    return { url: `/api/v1/campaigns/${id}/pause`, payload: {}, expect: 200, target: id };
  },
  'POST /api/v1/campaigns/:id/resume': async (t) => {
    const id = await sending(t);
    await t.services.campaigns.pause(id);
    return { url: `/api/v1/campaigns/${id}/resume`, payload: {}, expect: 200, target: id };
  },
  'POST /api/v1/campaigns/:id/cancel': async (t) => {
    const id = await sending(t);
    return { url: `/api/v1/campaigns/${id}/cancel`, payload: {}, expect: 200, target: id };
  },
};
