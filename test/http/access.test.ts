import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { can } from '../../src/http/access.ts';
import type { ApiRoute } from '../../src/http/auth.ts';
import { ROLES, type Role } from '../../src/modules/users/users.model.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { transportOf } from '../helpers/mail.ts';

const SOME_ID = '01900000-0000-7000-8000-000000000000';

type Sample = (
  t: TestApp,
) => Promise<{ url?: string; payload?: unknown; headers?: Record<string, string>; expect: number; target?: string }>;

let n = 0;
const uniq = () => `${Date.now().toString(36)}${(n++).toString(36)}`;
const segment = (t: TestApp) => t.services.segments.create({ name: `Seg ${uniq()}`, kind: 'dynamic', filter: { consent: { atLeast: 1 } } });
const contact = (t: TestApp) => t.services.contacts.create({ email: `p${uniq()}@example.com` });
const entityOf = new WeakMap<TestApp, Promise<string>>();
const entity = (t: TestApp): Promise<string> => {
  if (!entityOf.has(t))
    entityOf.set(
      t,
      t.services.entities
        .define({ name: `e${uniq()}`, linked: true, erase: 'delete', fields: [{ name: 'note', type: 'text', personal: true }] })
        .then((e) => e.name),
    );
  return entityOf.get(t)!;
};
const entityRecord = async (t: TestApp) => {
  const name = await entity(t);
  return { name, id: (await t.services.entities.createRecord(name, { contactId: (await contact(t)).id, fields: { note: 'hi' } })).id };
};
const dsrCase = (t: TestApp) =>
  t.services.requestIntake.fromStaff(
    { type: 'objection', email: `d${uniq()}@example.com`, verified: true, note: 'Identity checked by phone' },
    { type: 'system', id: null },
    null,
  );
const dsrTask = async (t: TestApp) => (await t.services.tasks.list({ requestId: (await dsrCase(t)).id }, 1))[0]!;

/**
 * A request that succeeds for each route. The test fails when a route has no sample, so a
 * new route cannot skip the access and audit checks.
 */
const samples: Record<string, Sample> = {
  'POST /api/v1/session': async (t) => {
    await t.services.users
      .createUser({ email: 'staff@example.com', role: 'viewer', password: 'correct horse battery' })
      .catch(() => undefined);
    return { payload: { email: 'staff@example.com', password: 'correct horse battery' }, expect: 201 };
  },
  'GET /api/v1/session': async () => ({ expect: 200 }),
  'DELETE /api/v1/session': async () => ({ expect: 204 }),
  'GET /api/v1/settings': async () => ({ expect: 200 }),
  'PATCH /api/v1/settings': async () => ({ payload: { publicBaseUrl: 'https://news.example.com' }, expect: 200 }),
  'GET /api/v1/users': async () => ({ expect: 200 }),
  'POST /api/v1/users': async () => ({
    payload: {
      email: `u${Date.now()}${Math.random()}@example.com`.replace('0.', ''),
      role: 'marketer',
      password: 'a long enough password',
    },
    expect: 201,
  }),
  'GET /api/v1/users/:id': async (t) => {
    const u = await t.services.users.createUser({
      email: `v${Math.random()}@example.com`.replace('0.', ''),
      role: 'viewer',
      password: 'a long enough password',
    });
    return { url: `/api/v1/users/${u.id}`, expect: 200, target: u.id };
  },
  'PATCH /api/v1/users/:id': async (t) => {
    const u = await t.services.users.createUser({
      email: `w${Math.random()}@example.com`.replace('0.', ''),
      role: 'viewer',
      password: 'a long enough password',
    });
    return { url: `/api/v1/users/${u.id}`, payload: { role: 'marketer' }, expect: 200, target: u.id };
  },
  'GET /api/v1/keys': async () => ({ expect: 200 }),
  'POST /api/v1/keys': async () => ({ payload: { name: 'integration', role: 'viewer' }, expect: 201 }),
  'DELETE /api/v1/keys/:id': async (t) => {
    const k = await t.services.users.createKey({ name: 'to revoke', role: 'viewer' });
    return { url: `/api/v1/keys/${k.key.id}`, expect: 204, target: k.key.id };
  },
  'GET /api/v1/audit': async () => ({ expect: 200 }),
  'GET /api/v1/datamap': async () => ({ expect: 200 }),
  'GET /api/v1/datamap/report': async () => ({ expect: 200 }),
  'GET /api/v1/outbox': async () => ({ expect: 200 }),
  'GET /api/v1/outbox/:id': async (t) => {
    const r = await transportOf(t.services).send({ to: 'reader@example.com', subject: 'Hello', text: 'Hi' });
    return { url: `/api/v1/outbox/${r.id}`, expect: 200, target: r.id };
  },
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
  'POST /api/v1/contacts/:id/erase': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/erase`, expect: 200, target: c.id };
  },
  'GET /api/v1/erasures': async () => ({ url: '/api/v1/erasures?limit=5', expect: 200 }),
  'GET /api/v1/erasures/:id': async (t) => {
    const r = await t.services.erasure.erase({ contactIds: [(await contact(t)).id] }, { actor: { type: 'system', id: null } });
    return { url: `/api/v1/erasures/${r.receipts[0]!.id}`, expect: 200 };
  },
  'DELETE /api/v1/suppressions': async (t) => {
    const email = `gone${uniq()}@example.com`;
    await t.services.erasure.erase({ emails: [email] }, { actor: { type: 'system', id: null } });
    return { url: `/api/v1/suppressions?email=${encodeURIComponent(email)}`, expect: 204 };
  },
  'GET /api/v1/contact-fields': async () => ({ expect: 200 }),
  'POST /api/v1/imports': async () => ({
    url: '/api/v1/imports?map=Name=firstName',
    headers: { 'content-type': 'text/csv' },
    payload: `email,Name\nimp${uniq()}@example.com,Ana\n`,
    expect: 200,
  }),
  'POST /api/v1/contact-fields': async () => ({ payload: { name: `f_${uniq()}`, type: 'text', personal: true }, expect: 201 }),
  'GET /api/v1/contacts/:id/consent/check': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/consent/check?purpose=marketing`, expect: 200, target: c.id };
  },
  'POST /api/v1/consent/check': async (t) => ({ payload: { contactIds: [(await contact(t)).id], purpose: 'profiling' }, expect: 200 }),
  'PUT /api/v1/contacts/:id/consent': async (t) => {
    const c = await contact(t);
    return {
      url: `/api/v1/contacts/${c.id}/consent`,
      payload: { level: 3, source: 'api', notice: 'Yes, send me offers.' },
      expect: 200,
      target: c.id,
    };
  },
  'PUT /api/v1/contacts/:id/guardian-consent': async (t) => {
    const g = await contact(t);
    const c = await t.services.contacts.create({ email: `kid${uniq()}@example.com`, isChild: true, guardianId: g.id });
    return { url: `/api/v1/contacts/${c.id}/guardian-consent`, payload: { granted: true, source: 'admin' }, expect: 200, target: c.id };
  },
  'GET /api/v1/contacts/:id/consent/history': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/consent/history`, expect: 200, target: c.id };
  },
  'GET /api/v1/contacts/:id/consent': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/consent?at=2030-01-01T00:00:00Z`, expect: 200, target: c.id };
  },
  'POST /api/v1/notices': async () => ({ payload: { text: `Notice ${uniq()}` }, expect: 201 }),
  'GET /api/v1/notices/:id': async (t) => {
    const n = await t.services.ledger.putNotice(`Shown ${uniq()}`);
    return { url: `/api/v1/notices/${n.id}`, expect: 200, target: n.id };
  },
  'GET /api/v1/consent/verify': async () => ({ expect: 200 }),
  'POST /api/v1/lists': async () => ({ payload: { name: `List ${uniq()}` }, expect: 201 }),
  'GET /api/v1/lists': async () => ({ expect: 200 }),
  'POST /api/v1/segments': async () => ({
    payload: { name: 'Germans', kind: 'dynamic', filter: { field: 'country', op: '=', value: 'DE' } },
    expect: 201,
  }),
  'GET /api/v1/segments': async () => ({ expect: 200 }),
  'GET /api/v1/retention/preview': async () => ({ expect: 200 }),
  'POST /api/v1/retention/run': async () => ({ expect: 200 }),
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

  'GET /api/v1/contacts/:id/lists': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/lists`, expect: 200, target: c.id };
  },
  'PUT /api/v1/contacts/:id/lists/:listId': async (t) => {
    const c = await contact(t);
    const l = await t.services.lists.create({ name: `L ${uniq()}` });
    return { url: `/api/v1/contacts/${c.id}/lists/${l.id}`, payload: {}, expect: 200, target: c.id };
  },
  'DELETE /api/v1/contacts/:id/lists/:listId': async (t) => {
    const c = await contact(t);
    const l = await t.services.lists.create({ name: `L ${uniq()}` });
    await t.services.lists.join(c.id, l.id, { source: 'api', actor: { type: 'system', id: null } });
    return { url: `/api/v1/contacts/${c.id}/lists/${l.id}`, expect: 204, target: c.id };
  },
  'POST /api/v1/interactions': async (t) => ({
    payload: {
      events: [
        { type: 'email_sent', contactId: (await contact(t)).id, messageId: SOME_ID },
        { type: 'email_clicked', contactId: (await contact(t)).id, messageId: SOME_ID },
      ],
    },
    expect: 200,
  }),
  'GET /api/v1/interactions': async (t) => {
    const c = await contact(t);
    await t.services.interactions.ingest([{ type: 'email_sent', contactId: c.id, messageId: SOME_ID }]);
    return { url: `/api/v1/interactions?contact=${c.id}&limit=5`, expect: 200, target: c.id };
  },
  'GET /api/v1/stats/interactions': async () => ({ url: '/api/v1/stats/interactions?type=email_sent', expect: 200 }),
  'GET /api/v1/contacts/:id/export': async (t) => {
    const c = await contact(t);
    return { url: `/api/v1/contacts/${c.id}/export`, expect: 200, target: c.id };
  },
  'POST /api/v1/entities': async () => ({
    payload: { name: `e${uniq()}`, linked: true, erase: 'anonymise', fields: [{ name: 'code', type: 'text', personal: true }] },
    expect: 201,
  }),
  'GET /api/v1/entities': async () => ({ expect: 200 }),
  'GET /api/v1/entities/:name': async (t) => ({ url: `/api/v1/entities/${await entity(t)}`, expect: 200 }),
  'POST /api/v1/entities/:name/records': async (t) => ({
    url: `/api/v1/entities/${await entity(t)}/records`,
    payload: { contactId: (await contact(t)).id, fields: { note: 'hello' } },
    expect: 201,
  }),
  'GET /api/v1/entities/:name/records': async (t) => ({ url: `/api/v1/entities/${await entity(t)}/records?limit=5`, expect: 200 }),
  'GET /api/v1/entities/:name/records/:id': async (t) => {
    const r = await entityRecord(t);
    return { url: `/api/v1/entities/${r.name}/records/${r.id}`, expect: 200, target: r.id };
  },
  'PATCH /api/v1/entities/:name/records/:id': async (t) => {
    const r = await entityRecord(t);
    return { url: `/api/v1/entities/${r.name}/records/${r.id}`, payload: { fields: { note: 'changed' } }, expect: 200, target: r.id };
  },
  'DELETE /api/v1/entities/:name/records/:id': async (t) => {
    const r = await entityRecord(t);
    return { url: `/api/v1/entities/${r.name}/records/${r.id}`, expect: 204, target: r.id };
  },
  'POST /api/v1/requests': async () => ({
    payload: {
      type: 'access',
      email: `r${uniq()}@example.com`,
      receivedAt: '2026-01-02T10:00:00Z',
      verified: true,
      note: 'Letter with signature on file',
    },
    expect: 201,
  }),
  'GET /api/v1/requests': async () => ({ url: '/api/v1/requests?overdue=false&dueWithin=30&type=access', expect: 200 }),
  'GET /api/v1/requests/:id': async (t) => {
    const r = await dsrCase(t);
    return { url: `/api/v1/requests/${r.id}`, expect: 200, target: r.id };
  },
  'PATCH /api/v1/requests/:id': async (t) => {
    const r = await dsrCase(t);
    return { url: `/api/v1/requests/${r.id}`, payload: { note: 'Called back' }, expect: 200, target: r.id };
  },
  'POST /api/v1/requests/:id/extend': async (t) => {
    const r = await dsrCase(t);
    return { url: `/api/v1/requests/${r.id}/extend`, payload: { reason: 'Several systems to search' }, expect: 200, target: r.id };
  },
  'POST /api/v1/requests/:id/fulfil': async (t) => {
    const r = await dsrCase(t);
    return { url: `/api/v1/requests/${r.id}/fulfil`, payload: {}, expect: 200, target: r.id };
  },
  'GET /api/v1/tasks': async () => ({ url: '/api/v1/tasks?status=open&limit=5', expect: 200 }),
  'GET /api/v1/tasks/:id': async (t) => {
    const task = await dsrTask(t);
    return { url: `/api/v1/tasks/${task.id}`, expect: 200, target: task.id };
  },
  'PATCH /api/v1/tasks/:id': async (t) => {
    const task = await dsrTask(t);
    return { url: `/api/v1/tasks/${task.id}`, payload: { status: 'done' }, expect: 200, target: task.id };
  },
};

function concrete(url: string): string {
  return url.replace(/:id\b/g, SOME_ID).replace(/:listId\b/g, SOME_ID);
}

forEachDialect('access and audit on every route', (ctx) => {
  let t: TestApp;
  let routes: ApiRoute[];
  before(async () => {
    t = await testApp(ctx.db);
    routes = t.app.apiRoutes;
  });
  after(async () => t.close());

  it('has a sample request for every API route', () => {
    const missing = routes.map((r) => `${r.method} ${r.url}`).filter((k) => !samples[k]);
    assert.deepEqual(missing, []);
    assert.ok(routes.length >= 38);
  });

  it('answers 401 without credentials and with an unknown or malformed key', async () => {
    for (const r of routes.filter((x) => x.access !== 'public')) {
      for (const headers of [
        {},
        { authorization: 'Bearer assent_AAAAAAAAAAAA_' + 'x'.repeat(43) },
        { authorization: 'Bearer nonsense' },
        { authorization: 'Basic abc' },
        { cookie: 'assent_session=forged' },
      ]) {
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: concrete(r.url),
          headers,
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
        });
        assert.equal(res.statusCode, 401, `${r.method} ${r.url} with ${JSON.stringify(headers)}`);
        assert.equal(json(res).error.code, 'unauthenticated');
      }
    }
  });

  it('answers 403 for every role the table does not allow, and audits the denial', async () => {
    let denied = 0;
    for (const r of routes) {
      if (typeof r.access !== 'object') continue;
      for (const role of ROLES) {
        if (can(role, r.access.area, r.access.op)) continue;
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: concrete(r.url),
          headers: t.auth(role),
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
        });
        assert.equal(res.statusCode, 403, `${role} ${r.method} ${r.url}`);
        assert.equal(json(res).error.code, 'forbidden');
        denied++;
        if (r.audit) {
          const entries = await t.services.audit.list({ action: r.audit.action }, 1000);
          const mine = entries.filter((e) => e.requestId === res.headers['x-request-id']);
          assert.equal(mine.length, 1, `denial of ${role} ${r.method} ${r.url} is audited`);
          assert.equal(mine[0]!.outcome, 'denied');
        }
      }
    }
    // Each non-admin role is refused something: the table is not accidentally open.
    assert.ok(denied >= 20, `only ${denied} denials`);
  });

  it('lets every allowed role through, and writes the declared audit entry for each route', async () => {
    for (const r of routes) {
      const roles: (Role | null)[] =
        r.access === 'public'
          ? [null]
          : ROLES.filter((role) => r.access === 'authenticated' || (typeof r.access === 'object' && can(role, r.access.area, r.access.op)));
      assert.ok(roles.length > 0, `${r.method} ${r.url} is reachable by someone`);
      for (const role of roles) {
        const s = await samples[`${r.method} ${r.url}`]!(t);
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: s.url ?? r.url,
          headers: { ...(role ? t.auth(role) : {}), ...s.headers },
          ...(s.payload !== undefined ? { payload: s.payload as object } : {}),
        });
        assert.equal(res.statusCode, s.expect, `${role} ${r.method} ${r.url}: ${res.body}`);
        const reqId = res.headers['x-request-id'] as string;
        const entries = (await t.services.audit.list({}, 10_000)).filter((e) => e.requestId === reqId);
        if (r.audit) {
          assert.equal(entries.length, 1, `${r.method} ${r.url} writes one audit entry`);
          const e = entries[0]!;
          assert.equal(e.action, r.audit.action);
          assert.equal(e.outcome, 'ok');
          assert.equal(e.actorType, 'api_key');
          assert.equal(e.targetType, r.audit.target ?? null);
          if (r.url.includes(':id')) assert.equal(e.targetId, s.target, `${r.method} ${r.url} names its record`);
          if (s.expect === 201) assert.match(e.targetId ?? '', /^[0-9a-f-]{36}$/, 'creates name the new record');
        } else if (r.access !== 'public') {
          assert.equal(entries.length, 0, `${r.method} ${r.url} declares no audit`);
        }
      }
    }
  });

  it('never stores personal values in the audit log', async () => {
    const entries = await t.services.audit.list({}, 10_000);
    assert.ok(entries.length > 10);
    for (const e of entries) assert.doesNotMatch(JSON.stringify(e), /@|correct horse/);
  });
});
