import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { runJobs } from '../../../test/helpers/jobs.ts';
import { SESSION_COOKIE } from '../../http/auth.ts';
import { FakeClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { ROLES, type Role } from '../users/users.model.ts';
import { ADMIT_QUEUE, RUN_QUEUE } from '../journeys/journeys.jobs.ts';
import { SALES_READY } from './sales-ready.tasks.ts';

const CTX = { source: 'api', actor: { type: 'system', id: null } } as const;

// Until s-engine's recompute publishes it, the event is published here as the contract says:
// `{leadId, contactId, modelId}`, about the contact, in a transaction of its own.
forEachDialect('lead.sales_ready: journeys start once, the owner gets one task', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-10-01T09:00:00.000Z');
  let modelId: string;
  let ownerId: string;
  let ownerCookie: string;
  const contacts: string[] = [];
  const leads: Record<'a1' | 'a2' | 'b1', string> = { a1: '', a2: '', b1: '' };
  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, role: Role = 'marketer') => {
    const r = await t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: r.statusCode, body: json(r) };
  };
  const publish = (lead: string, contact: string) =>
    ctx.db.kysely
      .transaction()
      .execute((trx) =>
        t.services.events.publish(trx, { type: SALES_READY, contactId: contact, data: { leadId: lead, contactId: contact, modelId } }),
      );
  const deliver = () => runJobs(t.services, ['events.dispatch', RUN_QUEUE, ADMIT_QUEUE]);

  before(async () => {
    t = await testApp(ctx.db, { clock });
    const at = clock.now().toISOString();
    modelId = newId();
    await ctx.db.kysely
      .insertInto('scoring_models')
      .values({
        id: modelId,
        name: 'Fit',
        required_level: null,
        required_purpose: 'profiling',
        rules: '[]',
        grades: '{"A":80,"B":60,"C":40,"D":20}',
        sales_ready: 70,
        version: 1,
        created_at: at,
        updated_at: at,
        recompute_job_id: null,
        recompute_total: null,
        recompute_done: null,
        recompute_started_at: null,
        recompute_finished_at: null,
      })
      .execute();
    // The owner is a viewer: only the assignment shows them the task, not their role.
    const owner = await t.services.users.createUser({ email: 'owner@example.com', role: 'viewer', password: 'a long enough password 1' });
    ownerId = owner.id;
    ownerCookie = `${SESSION_COOKIE}=${(await t.services.users.createSession(owner.id)).token}`;
    for (const name of ['a', 'b']) {
      const c = await t.services.contacts.create({ email: `${name}.ready@example.com` });
      await t.services.consent.setLevel(c.id, 4, CTX);
      contacts.push(c.id);
    }
    const lead = async (key: keyof typeof leads, contact: string, owner: string | null) => {
      leads[key] = newId();
      await ctx.db.kysely
        .insertInto('leads')
        .values({
          id: leads[key],
          contact_id: contact,
          title: `Deal ` + `${key} ✓`,
          status: 'open',
          owner_id: owner,
          value: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
    };
    await lead('a1', contacts[0]!, ownerId);
    await lead('a2', contacts[0]!, null);
    await lead('b1', contacts[1]!, null);
  });
  after(() => t.close());

  it('a journey started by the event runs once per lead; the position is per contact', async () => {
    const made = await api('POST', '/api/v1/journeys', {
      name: 'Sales-ready welcome',
      requiredConsent: 3,
      tiles: [
        { id: 'in', type: 'start', trigger: { event: SALES_READY }, next: 'out' },
        { id: 'out', type: 'end' },
      ],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.deepEqual(made.body.data.problems, [], 'the event is one the installation declares');
    const id = made.body.data.id as string;
    assert.equal((await api('PATCH', `/api/v1/journeys/${id}`, { state: 'live' })).status, 200);
    const stats = async () => (await api('GET', `/api/v1/journeys/${id}/stats`)).body.data;

    await publish(leads.a1, contacts[0]!);
    await deliver();
    assert.equal((await stats()).entered, 1);
    // The same lead again (a redelivery, a rescoring that publishes again): no second start.
    await publish(leads.a1, contacts[0]!);
    await deliver();
    assert.equal((await stats()).entered, 1);
    // Another contact's lead starts it for that contact.
    await publish(leads.b1, contacts[1]!);
    await deliver();
    assert.equal((await stats()).entered, 2);
    // A second lead of the first contact: journeys key positions by contact, and this journey's
    // re-entry is `once`, so the contact does not start again (documented behaviour).
    await publish(leads.a2, contacts[0]!);
    await deliver();
    const s = await stats();
    assert.equal(s.entered, 2);
    for (const c of contacts) {
      const path = (await api('GET', `/api/v1/journeys/${id}/contacts/${c}`)).body.data;
      assert.equal(path.steps.filter((x: { tileId: string }) => x.tileId === 'in').length, 1, 'one start per contact');
    }
  });

  it("one task per lead and model for the lead's owner, or the marketers; redelivery makes none", async () => {
    const tasks = await ctx.db.kysely.selectFrom('journey_tasks').selectAll().where('lead_id', 'is not', null).orderBy('id').execute();
    // Three leads were published (a1 twice): three tasks.
    assert.equal(tasks.length, 3);
    const of = (lead: string) => tasks.filter((x) => x.lead_id === lead);
    assert.equal(of(leads.a1).length, 1);
    assert.equal(of(leads.a1)[0]!.assignee_user_id, ownerId);
    assert.equal(of(leads.a1)[0]!.assignee_role, null);
    assert.equal(of(leads.a1)[0]!.journey_id, null);
    assert.equal(of(leads.b1)[0]!.assignee_role, 'marketer');
    assert.equal(of(leads.b1)[0]!.assignee_user_id, null);
    assert.equal(of(leads.a2)[0]!.contact_id, contacts[0]);
    // The same event delivered again to the consumer itself.
    const ev = await ctx.db.kysely.selectFrom('events').select('id').where('type', '=', SALES_READY).execute();
    await t.services.events.dispatch({ ids: ev.map((e) => e.id) });
    assert.equal((await ctx.db.kysely.selectFrom('journey_tasks').select('id').where('lead_id', 'is not', null).execute()).length, 3);
  });

  it('the tasks list shows each role its own and the owner theirs, for every role', async () => {
    const seen = async (headers: Record<string, string>) => {
      const r = await t.app.inject({ method: 'GET', url: '/api/v1/journeys/tasks', headers });
      assert.equal(r.statusCode, 200, r.body);
      return (json(r).data as { leadId: string | null }[])
        .map((x) => x.leadId)
        .filter((x) => x !== null)
        .sort();
    };
    const want: Record<Role, string[]> = {
      admin: [leads.a1, leads.a2, leads.b1].sort(),
      marketer: [leads.a2, leads.b1].sort(),
      privacy_officer: [],
      viewer: [],
    };
    for (const role of ROLES) assert.deepEqual(await seen(t.auth(role)), want[role], role);
    // The owner (a viewer) sees the task assigned to them, and may close it; another viewer's key may not.
    assert.deepEqual(await seen({ cookie: ownerCookie }), [leads.a1]);
    const mine = (await ctx.db.kysely.selectFrom('journey_tasks').select('id').where('lead_id', '=', leads.a1).executeTakeFirstOrThrow())
      .id;
    const byViewer = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/journeys/` + `tasks/${mine}`,
      headers: t.auth('viewer'),
      payload: { status: 'done' },
    });
    assert.equal(byViewer.statusCode, 404);
    const byOwner = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/journeys/tasks/${mine}`,
      headers: { cookie: ownerCookie, origin: 'http://localhost' },
      payload: { status: 'done' },
    });
    assert.ok([200, 403].includes(byOwner.statusCode), byOwner.body);
    const done = await t.services.journeys.setTask({ role: 'viewer', userId: ownerId }, mine, 'done');
    assert.equal(done.status, 'done');
    assert.equal(done.assigneeUserId, ownerId);
  });
});
