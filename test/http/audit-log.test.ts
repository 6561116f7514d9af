import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../src/lib/clock.ts';
import { json, type TestApp, testApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

interface Item {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  outcome: string;
}

forEachDialect('audit log: actor names and filters the console reads it by', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');
  let officer: string;
  let crm: { id: string; secret: string };
  before(async () => {
    t = await testApp(ctx.db, { clock });
    officer = (
      await t.services.users.createUser({ email: 'ines.moreau@example.com', role: 'privacy_officer', password: 'a long password!' })
    ).id;
    const k = await t.services.users.createKey({ name: 'CRM sync', role: 'marketer' });
    crm = { id: k.key.id, secret: k.secret };
    // The key lists contacts (allowed) and reads the audit log (denied); the system records a step.
    await t.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { authorization: `Bearer ${crm.secret}` } });
    clock.advance(60_000);
    await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: { authorization: `Bearer ${crm.secret}` } });
    await t.services.audit.record({ actor: { type: 'system', id: null }, action: 'retention.run', outcome: 'ok' });
    await t.services.audit.record({ actor: { type: 'user', id: officer }, action: 'contact.view', outcome: 'ok' });
  });
  after(async () => t.close());

  const list = async (query: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/audit?${query}`, headers: t.auth('privacy_officer') });
    assert.equal(res.statusCode, 200, res.body);
    return json<{ data: Item[]; page: { total: number } }>(res);
  };

  it('names each staff actor as the API can: a user by email, a key by its name; the system by nobody', async () => {
    const { data } = await list('limit=500');
    const byKey = data.filter((e) => e.actorId === crm.id);
    assert.ok(byKey.length >= 2);
    assert.ok(byKey.every((e) => e.actorName === 'CRM sync'));
    assert.equal(data.find((e) => e.actorId === officer)?.actorName, 'ines.moreau@example.com');
    const system = data.find((e) => e.action === 'retention.run');
    assert.equal(system?.actorType, 'system');
    assert.equal(system?.actorName, null);
  });

  it('filters by actor, actor type, outcome and action, alone and together, with totals to match', async () => {
    const byActor = await list(`actorId=${crm.id}`);
    assert.deepEqual(new Set(byActor.data.map((e) => e.actorId)), new Set([crm.id]));
    assert.equal(byActor.page.total, byActor.data.length);
    const denied = await list('outcome=denied');
    assert.ok(denied.data.length >= 1);
    assert.ok(denied.data.every((e) => e.outcome === 'denied'));
    assert.ok(denied.data.some((e) => e.actorId === crm.id && e.action === 'audit.view'));
    const systemOnly = await list('actorType=system');
    assert.deepEqual([...new Set(systemOnly.data.map((e) => e.actorType))], ['system']);
    const both = await list(`actorId=${crm.id}&outcome=ok&action=contact.list`);
    assert.equal(both.data.length, 1);
    assert.equal(both.page.total, 1);
    const since = await list(`actorId=${crm.id}&since=2026-03-01T10:00:30Z`);
    assert.deepEqual(
      since.data.map((e) => e.action),
      ['audit.view'],
    );
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/audit?outcome=maybe', headers: t.auth('admin') });
    assert.equal(bad.statusCode, 400);
    assert.equal(json(bad).error.code, 'validation_failed');
  });

  it('lists every user and key the log can name, for the privacy officer too, and no viewer', async () => {
    await t.services.users.revokeKey(crm.id);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit/actors', headers: t.auth('privacy_officer') });
    assert.equal(res.statusCode, 200, res.body);
    const actors = json<{ data: { type: string; id: string; name: string }[] }>(res).data;
    assert.deepEqual(
      actors.find((a) => a.id === officer),
      { type: 'user', id: officer, name: 'ines.moreau@example.com' },
    );
    assert.deepEqual(
      actors.find((a) => a.id === crm.id),
      { type: 'api_key', id: crm.id, name: 'CRM sync' },
      'a revoked key is still named',
    );
    const kinds = actors.map((a) => a.type);
    assert.deepEqual(
      kinds,
      [...kinds].sort((a, b) => (a === b ? 0 : a === 'user' ? -1 : 1)),
      'users first',
    );
    const viewer = await t.app.inject({ method: 'GET', url: '/api/v1/audit/actors', headers: t.auth('viewer') });
    assert.equal(viewer.statusCode, 403);
  });
});
