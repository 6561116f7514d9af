import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../src/lib/clock.ts';
import type { Role } from '../../src/modules/users/users.model.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/snapshot.ts';

const NOW = '2026-01-31T12:00:00.000Z';

forEachDialect('data-subject requests API', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock(NOW);
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, role: Role = 'privacy_officer') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const open = async (body: Record<string, unknown>) => {
    const res = await call('POST', '/api/v1/requests', body);
    assert.equal(res.statusCode, 201, res.body);
    return json(res).data;
  };
  const vouched = { verified: true, note: 'Identity checked against a signed letter' };
  const outboxTo = async (to: string) => (await t.services.mail.listOutbox({ limit: 500 })).items.filter((m) => m.to === to);

  it('opens a case entered by staff that arrived earlier, vouched for, with a task naming the contact and type', async () => {
    const contact = await t.services.contacts.create({ email: 'ana@example.com' });
    const r = await open({ type: 'access', email: ' ana@EXAMPLE.com', receivedAt: '2026-01-15T10:00:00Z', ...vouched });
    assert.equal(r.status, 'verified');
    assert.equal(r.deadline, '2026-02-15');
    assert.equal(r.email, 'ana@example.com');
    assert.equal(r.contactId, contact.id);
    assert.equal(r.channel, 'staff');
    assert.equal(r.receivedAt, '2026-01-15T10:00:00.000Z');
    assert.equal(r.overdue, false);
    assert.deepEqual(
      r.history.map((e: { status: string; note: string | null }) => [e.status, e.note]),
      [
        ['received', null],
        ['verified', vouched.note],
      ],
    );
    const tasks = json(await call('GET', `/api/v1/tasks?request=${r.id}`)).data;
    assert.equal(tasks.length, 1);
    assert.deepEqual(
      { ...tasks[0], id: undefined, createdAt: undefined, updatedAt: undefined },
      {
        id: undefined,
        requestId: r.id,
        contactId: contact.id,
        type: 'access',
        title: 'Handle access request',
        status: 'open',
        assigneeId: null,
        dueDate: '2026-02-15',
        createdAt: undefined,
        updatedAt: undefined,
        completedAt: null,
        receiptId: null,
        residue: null,
      },
    );
    assert.deepEqual(await outboxTo('ana@example.com'), [], 'a vouched-for case needs no link');
  });

  it('emails a link for a case staff do not vouch for, and refuses to fulfil it until confirmed', async () => {
    const r = await open({ type: 'erasure', email: 'bob@example.com' });
    assert.equal(r.status, 'awaiting_verification');
    assert.equal(r.deadline, '2026-02-28', '31 January + one month');
    assert.equal(r.contactId, null);
    const mails = await outboxTo('bob@example.com');
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.text ?? '', /\/public\/v1\/requests\/verify\?token=/);
    const before = await dumpDatabase(ctx.db);
    const res = await call('POST', `/api/v1/requests/${r.id}/fulfil`, {});
    assert.equal(res.statusCode, 409);
    assert.equal(json(res).error.code, 'request_not_verified');
    assert.deepEqual(await dumpDatabase(ctx.db), before);
  });

  it('refuses invalid cases and writes nothing', async () => {
    const before = await dumpDatabase(ctx.db);
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'deletion', email: 'c@example.com' }, '/type'],
      [{ type: 'access', email: 'not an address' }, '/email'],
      [{ type: 'access', email: 'c@example.com', receivedAt: '2026-02-01T00:00:00Z' }, '/receivedAt'],
      [{ type: 'access', email: 'c@example.com', receivedAt: 'yesterday' }, '/receivedAt'],
      [{ type: 'access', email: 'c@example.com', verified: true }, '/note'],
      [{ type: 'access', email: 'c@example.com', verified: true, note: 'confirmed by c@example.com' }, '/note'],
      [{ type: 'access', email: 'c@example.com', status: 'completed' }, '/status'],
    ];
    for (const [body, path] of cases) {
      const res = await call('POST', '/api/v1/requests', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(json(res).error.code, 'validation_failed');
      assert.ok(
        json(res).error.details.some((d: { path: string }) => d.path === path),
        `${JSON.stringify(body)}: ${res.body}`,
      );
    }
    assert.deepEqual(await dumpDatabase(ctx.db), before);
  });

  it('dates the deadline in the installation time zone', async () => {
    const bad = await call('PATCH', '/api/v1/settings', { timeZone: 'Mars/Olympus_Mons' }, 'admin');
    assert.equal(bad.statusCode, 400);
    assert.equal(json(await call('PATCH', '/api/v1/settings', { timeZone: 'Europe/Berlin' }, 'admin')).data.timeZone, 'Europe/Berlin');
    try {
      clock.set('2026-01-31T23:30:00Z');
      const r = await open({ type: 'access', email: 'berlin@example.com', ...vouched });
      assert.equal(r.deadline, '2026-03-01', 'received on 1 February in Berlin');
    } finally {
      clock.set(NOW);
      await t.services.settings.patch({ timeZone: 'UTC' });
    }
  });

  it('filters overdue cases and cases due within N days', async () => {
    const late = await open({ type: 'access', email: 'late@example.com', receivedAt: '2025-12-01T09:00:00Z', ...vouched });
    const soon = await open({ type: 'objection', email: 'soon@example.com', receivedAt: '2026-01-05T09:00:00Z', ...vouched });
    const later = await open({ type: 'objection', email: 'later@example.com', ...vouched });
    assert.deepEqual([late.deadline, soon.deadline, later.deadline], ['2026-01-01', '2026-02-05', '2026-02-28']);
    assert.equal(late.overdue, true);
    const ids = async (query: string) => {
      const res = await call('GET', `/api/v1/requests?${query}&limit=500`, undefined, 'viewer');
      assert.equal(res.statusCode, 200, res.body);
      const mine = new Set([late.id, soon.id, later.id]);
      return json(res)
        .data.filter((r: { id: string }) => mine.has(r.id))
        .map((r: { id: string }) => r.id);
    };
    assert.deepEqual(await ids('overdue=true'), [late.id]);
    assert.deepEqual(await ids('overdue=false'), [soon.id, later.id]);
    assert.deepEqual(await ids('dueWithin=5'), [late.id, soon.id]);
    assert.deepEqual(await ids('dueWithin=5&overdue=false'), [soon.id]);
    assert.deepEqual(await ids('dueWithin=28'), [late.id, soon.id, later.id]);
    assert.deepEqual(await ids('type=objection'), [soon.id, later.id]);
    assert.deepEqual(await ids('status=verified&type=access&dueWithin=0'), [late.id]);
    assert.deepEqual(
      await ids(`email=${encodeURIComponent('SOON@example.com')}`),
      [soon.id],
      'addresses compare without regard to case (issue 9, point 12)',
    );
    assert.deepEqual(await ids(`email=${encodeURIComponent('soon@EXAMPLE.com')}`), [soon.id]);
    clock.set('2026-02-06T08:00:00Z');
    try {
      assert.deepEqual(await ids('overdue=true'), [late.id, soon.id], 'overdue the day after the deadline');
    } finally {
      clock.set(NOW);
    }
    await call('PATCH', `/api/v1/requests/${late.id}`, { status: 'rejected', note: 'Manifestly unfounded: repeated request' });
    assert.deepEqual(await ids('overdue=true'), [], 'a closed case is never overdue');
    assert.equal(json(await call('GET', `/api/v1/requests/${late.id}`)).data.overdue, false);
    assert.equal((await call('GET', '/api/v1/requests?dueWithin=400')).statusCode, 400);
    assert.equal((await call('GET', '/api/v1/requests?overdue=maybe')).statusCode, 400);
  });

  it('extends the deadline once, to three months from receipt, and moves the task with it', async () => {
    const r = await open({ type: 'portability', email: 'ext@example.com', ...vouched });
    assert.equal(r.deadline, '2026-02-28');
    const bad = await call('POST', `/api/v1/requests/${r.id}/extend`, { reason: 'asked by ext@example.com' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await call('POST', `/api/v1/requests/${r.id}/extend`, {})).statusCode, 400);
    const res = await call('POST', `/api/v1/requests/${r.id}/extend`, { reason: 'Data spread over several archived systems' });
    assert.equal(res.statusCode, 200, res.body);
    const x = json(res).data;
    assert.equal(x.deadline, '2026-04-30');
    assert.equal(x.extendedAt, NOW);
    assert.equal(x.extensionReason, 'Data spread over several archived systems');
    assert.equal(x.history.at(-1).note, 'deadline extended to 2026-04-30');
    assert.equal(json(await call('GET', `/api/v1/tasks?request=${r.id}`)).data[0].dueDate, '2026-04-30');
    const again = await call('POST', `/api/v1/requests/${r.id}/extend`, { reason: 'Still more time' });
    assert.equal(again.statusCode, 409);
    assert.equal(json(again).error.code, 'already_extended');
  });

  it('sets the owner and changes status only as the rules allow, recording each change', async () => {
    const officer = await t.services.users.createUser({
      email: 'officer@example.com',
      role: 'privacy_officer',
      password: 'a long enough password',
    });
    const r = await open({ type: 'access', email: 'status@example.com' });
    const owned = await call('PATCH', `/api/v1/requests/${r.id}`, { ownerId: officer.id });
    assert.equal(json(owned).data.ownerId, officer.id);
    assert.equal((await call('PATCH', `/api/v1/requests/${r.id}`, { ownerId: '01900000-0000-7000-8000-000000000000' })).statusCode, 400);
    assert.equal((await call('PATCH', `/api/v1/requests/${r.id}`, {})).statusCode, 400);
    const skip = await call('PATCH', `/api/v1/requests/${r.id}`, { status: 'completed' });
    assert.equal(skip.statusCode, 409);
    assert.equal(json(skip).error.code, 'invalid_status_change');
    const noNote = await call('PATCH', `/api/v1/requests/${r.id}`, { status: 'verified' });
    assert.equal(noNote.statusCode, 400);
    const verified = json(await call('PATCH', `/api/v1/requests/${r.id}`, { status: 'verified', note: 'Passport shown in person' })).data;
    assert.equal(verified.status, 'verified');
    assert.equal(verified.verifiedAt, NOW);
    const rejected = json(await call('PATCH', `/api/v1/requests/${r.id}`, { status: 'rejected', note: 'Withdrawn by the requester' })).data;
    assert.deepEqual(
      rejected.history.map((e: { status: string }) => e.status),
      ['received', 'awaiting_verification', 'awaiting_verification', 'verified', 'rejected'],
    );
    assert.ok(rejected.history.some((e: { note: string | null }) => e.note === `owner set to ${officer.id}`));
    assert.equal(json(await call('GET', `/api/v1/tasks?request=${r.id}`)).data[0].status, 'done', 'closing the case closes its task');
    const closed = await call('PATCH', `/api/v1/requests/${r.id}`, { status: 'in_progress' });
    assert.equal(json(closed).error.code, 'request_closed');
    assert.equal((await call('POST', `/api/v1/requests/${r.id}/extend`, { reason: 'Too late' })).statusCode, 409);
    assert.equal((await call('GET', '/api/v1/requests/01900000-0000-7000-8000-000000000000')).statusCode, 404);
  });

  it('reads, assigns and completes tasks, with paging and filters', async () => {
    const officer = await t.services.users.createUser({
      email: 'tasks@example.com',
      role: 'privacy_officer',
      password: 'a long enough password',
    });
    const contact = await t.services.contacts.create({ email: 'tasked@example.com' });
    const a = await open({ type: 'objection', email: 'tasked@example.com', ...vouched });
    const b = await open({ type: 'access', email: 'tasked@example.com', ...vouched });
    const page1 = json(await call('GET', `/api/v1/tasks?contact=${contact.id}&limit=1`, undefined, 'viewer'));
    assert.equal(page1.data.length, 1);
    assert.equal(page1.data[0].requestId, a.id);
    const page2 = json(await call('GET', `/api/v1/tasks?contact=${contact.id}&limit=1&cursor=${page1.page.next}`));
    assert.deepEqual(
      page2.data.map((x: { requestId: string }) => x.requestId),
      [b.id],
    );
    const taskId = page1.data[0].id;
    const done = await call('PATCH', `/api/v1/tasks/${taskId}`, { status: 'done', assigneeId: officer.id });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(json(done).data.completedAt, NOW);
    assert.equal(json(done).data.assigneeId, officer.id);
    assert.deepEqual(
      json(await call('GET', `/api/v1/tasks?contact=${contact.id}&status=open`)).data.map((x: { requestId: string }) => x.requestId),
      [b.id],
    );
    const reopened = json(await call('PATCH', `/api/v1/tasks/${taskId}`, { status: 'open', assigneeId: null })).data;
    assert.deepEqual([reopened.status, reopened.completedAt, reopened.assigneeId], ['open', null, null]);
    assert.equal(json(await call('GET', `/api/v1/tasks/${taskId}`)).data.id, taskId);
    assert.equal((await call('PATCH', `/api/v1/tasks/${taskId}`, { status: 'closed' })).statusCode, 400);
    assert.equal((await call('PATCH', `/api/v1/tasks/${taskId}`, { assigneeId: '01900000-0000-7000-8000-000000000000' })).statusCode, 400);
    assert.equal((await call('PATCH', `/api/v1/tasks/${taskId}`, { title: 'x' })).statusCode, 400);
    assert.equal((await call('GET', '/api/v1/tasks/01900000-0000-7000-8000-000000000000')).statusCode, 404);
  });

  it('fulfils access and portability: an export behind a link, emailed; no data held said as much', async () => {
    const contact = await t.services.contacts.create({ email: 'export@example.com', firstName: 'Eva' });
    for (const type of ['access', 'portability']) {
      const r = await open({ type, email: 'export@example.com', ...vouched });
      const res = await call('POST', `/api/v1/requests/${r.id}/fulfil`, {});
      assert.equal(res.statusCode, 200, res.body);
      const done = json(res).data;
      assert.equal(done.status, 'completed');
      assert.equal(done.completedAt, NOW);
      assert.deepEqual(
        done.history.slice(-2).map((e: { status: string }) => e.status),
        ['in_progress', 'completed'],
      );
      assert.match(done.history.at(-1).note, /^export [0-9a-f-]{36} prepared; link valid until .*; requester told by email$/);
      assert.equal(json(await call('GET', `/api/v1/tasks?request=${r.id}`)).data[0].status, 'done');
    }
    const mails = await outboxTo('export@example.com');
    assert.equal(mails.length, 2);
    for (const m of mails) assert.match(m.text ?? '', /https?:\/\/\S+token=/);
    assert.ok(mails.some((m) => /machine-readable/.test(m.text ?? '')));
    assert.equal(contact.email, 'export@example.com');

    const none = await open({ type: 'access', email: 'stranger@example.com', ...vouched });
    const done = json(await call('POST', `/api/v1/requests/${none.id}/fulfil`, {})).data;
    assert.equal(done.status, 'completed');
    assert.equal(done.history.at(-1).note, 'no data held; requester told by email');
    assert.match((await outboxTo('stranger@example.com'))[0]!.text ?? '', /hold no personal data/);
  });

  it('fulfils an objection through the ledger: consent level 1 at most, recorded on the case', async () => {
    const c = await t.services.contacts.create({ email: 'objector@example.com' });
    await t.services.consent.setLevel(c.id, 5, { source: 'form', actor: { type: 'system', id: null }, notice: 'Profile me' });
    const r = await open({ type: 'objection', email: 'objector@example.com', ...vouched });
    const res = await call('POST', `/api/v1/requests/${r.id}/fulfil`, {});
    assert.equal(res.statusCode, 200, res.body);
    assert.match(
      json(res).data.history.at(-1).note,
      /^objection recorded: consent set to level 1 at most through the ledger; profiling stopped/,
    );
    assert.equal((await t.services.contacts.get(c.id)).consentLevel, 1);
    const last = (await t.services.consent.history(c.id)).at(-1)!;
    assert.deepEqual(
      [last.oldValue, last.newValue, last.source, last.notice?.text],
      [5, 1, 'data_request', `Objection to processing (request ${r.id})`],
    );
    assert.equal((await t.services.consent.check(c.id, 'profiling')).allowed, false);
    const again = await call('POST', `/api/v1/requests/${r.id}/fulfil`, {});
    assert.equal(json(again).error.code, 'request_closed');
  });

  it('fulfils a rectification with the changes given, and only then', async () => {
    const c = await t.services.contacts.create({ email: 'rect@example.com', lastName: 'Smiht' });
    const r = await open({ type: 'rectification', email: 'rect@example.com', ...vouched });
    const missing = await call('POST', `/api/v1/requests/${r.id}/fulfil`, {});
    assert.equal(missing.statusCode, 400);
    const invalid = await call('POST', `/api/v1/requests/${r.id}/fulfil`, { changes: { consentLevel: 5 } });
    assert.equal(invalid.statusCode, 400, 'consent is not a profile field');
    const badValue = await call('POST', `/api/v1/requests/${r.id}/fulfil`, { changes: { country: 'd3' } });
    assert.equal(badValue.statusCode, 400);
    assert.equal(json(badValue).error.code, 'validation_failed');
    const failed = json(await call('GET', `/api/v1/requests/${r.id}`)).data;
    assert.deepEqual(
      [failed.status, failed.history.at(-1).note],
      ['in_progress', 'fulfilment failed (validation_failed)'],
      'the failure is on the history; the work can be tried again',
    );
    const res = await call('POST', `/api/v1/requests/${r.id}/fulfil`, { changes: { lastName: 'Smith', country: 'DE' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(json(res).data.history.at(-1).note, /^rectified: lastName, country/);
    const after = await t.services.contacts.get(c.id);
    assert.deepEqual([after.lastName, after.country], ['Smith', 'DE']);
    const access = await open({ type: 'access', email: 'rect@example.com', ...vouched });
    assert.equal((await call('POST', `/api/v1/requests/${access.id}/fulfil`, { changes: { lastName: 'X' } })).statusCode, 400);
  });

  it('fulfils an erasure: the person is gone, the case keeps no address', async () => {
    const c = await t.services.contacts.create({ email: 'forget@example.com', firstName: 'Fay' });
    const r = await open({ type: 'erasure', email: 'forget@example.com', ...vouched });
    const res = await call('POST', `/api/v1/requests/${r.id}/fulfil`, {});
    assert.equal(res.statusCode, 200, res.body);
    const done = json(res).data;
    assert.equal(done.status, 'completed');
    assert.equal(done.email, null);
    assert.equal(done.contactId, null);
    assert.equal(done.flagged, false, 'the residue scan found nothing left');
    assert.equal((await call('GET', `/api/v1/contacts/${c.id}`)).statusCode, 404);
    assert.deepEqual(
      json(await call('GET', `/api/v1/requests?email=${encodeURIComponent('forget@example.com')}`)).data.map((x: { id: string }) => x.id),
      [r.id],
      'still found by the keyed hash',
    );
    assert.deepEqual(await outboxTo('forget@example.com'), [], 'no message puts the address back');
  });
});
