import type { Role } from '../../../src/modules/users/users.model.ts';
import { newId } from '../../../src/lib/ids.ts';
import { contact, type Samples, uniq } from '../../helpers/access-samples.ts';
import type { TestApp } from '../../helpers/app.ts';

const draft = () => ({
  name: `Journey ${uniq()}`,
  requiredConsent: 4,
  tiles: [
    { id: 'start', type: 'start', trigger: { manual: true }, next: 'end' },
    { id: 'end', type: 'end' },
  ],
});
const made = async (t: TestApp) => (await t.services.journeys.create(draft() as never)).id;

/** A live journey with a manual trigger. */
async function liveManual(t: TestApp): Promise<string> {
  const id = await made(t);
  await t.services.journeys.update(id, { state: 'live' });
  return id;
}

/** A journey with a contact's position and a task for the marketer role, written as the engine would. */
async function withContact(t: TestApp, role: Role = 'marketer'): Promise<{ journeyId: string; contactId: string; taskId: string }> {
  const journeyId = await made(t);
  const contactId = (await contact(t)).id;
  const now = new Date().toISOString();
  const db = t.services.db;
  await db.kysely
    .insertInto('journey_positions')
    .values({
      journey_id: journeyId,
      contact_id: contactId,
      entry: 1,
      status: 'done',
      tile_id: 'end',
      visit: 1,
      due_at: null,
      wait_event: null,
      entered_at: now,
      updated_at: now,
      exit_reason: null,
      ended_at: now,
    })
    .execute();
  const taskId = newId();
  await db.kysely
    .insertInto('journey_tasks')
    .values({
      id: taskId,
      journey_id: journeyId,
      tile_id: 'call',
      contact_id: contactId,
      assignee_role: role,
      title: 'Call',
      status: 'open',
      created_at: now,
      done_at: null,
    })
    .execute();
  return { journeyId, contactId, taskId };
}

/** A request that succeeds for each staff route of the journeys module (test/helpers/access-suite.ts runs them). */
export const samples: Samples = {
  'POST /api/v1/journeys': async () => ({ payload: draft(), expect: 201 }),
  'GET /api/v1/journeys': async () => ({ expect: 200 }),
  'GET /api/v1/journeys/tasks': async () => ({ expect: 200 }),
  // A task for the caller's own role: the only ones it may change.
  'PATCH /api/v1/journeys/tasks/:id': async (t, role) => {
    const { taskId } = await withContact(t, role ?? 'admin');
    return { url: `/api/v1/journeys/tasks/${taskId}`, payload: { status: 'done' }, expect: 200, target: taskId };
  },
  'GET /api/v1/journeys/:id': async (t) => ({ url: `/api/v1/journeys/${await made(t)}`, expect: 200 }),
  'PATCH /api/v1/journeys/:id': async (t) => {
    const id = await made(t);
    return { url: `/api/v1/journeys/${id}`, payload: { name: `Renamed ${uniq()}` }, expect: 200, target: id };
  },
  'DELETE /api/v1/journeys/:id': async (t) => {
    const id = await made(t);
    return { url: `/api/v1/journeys/${id}`, expect: 204, target: id };
  },
  'POST /api/v1/journeys/:id/contacts': async (t) => {
    const id = await liveManual(t);
    return { url: `/api/v1/journeys/${id}/contacts`, payload: { contactIds: [(await contact(t)).id] }, expect: 200, target: id };
  },
  'GET /api/v1/journeys/:id/contacts/:contactId': async (t) => {
    const { journeyId, contactId } = await withContact(t);
    return { url: `/api/v1/journeys/${journeyId}/contacts/${contactId}`, expect: 200 };
  },
  'GET /api/v1/journeys/:id/stats': async (t) => ({ url: `/api/v1/journeys/${await made(t)}/stats`, expect: 200 }),
  'GET /api/v1/contacts/:id/journeys': async (t) => ({ url: `/api/v1/contacts/${(await contact(t)).id}/journeys`, expect: 200 }),
};
