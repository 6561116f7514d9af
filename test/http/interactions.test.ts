import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { FakeClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import type { Role } from '../../src/modules/users/users.model.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/snapshot.ts';

const MESSAGE = '01900000-0000-7000-8000-0000000000aa';
const PAGE = '01900000-0000-7000-8000-0000000000bb';

forEachDialect('interactions API', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let t: TestApp;
  let n = 0;
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, role: Role = 'marketer') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const contact = async (level: number, extra: { isChild?: boolean; guardianId?: string } = {}) => {
    const c = await t.services.contacts.create({ email: `i${n++}@example.com`, ...extra });
    if (extra.guardianId) await t.services.consent.setGuardianConsent(c.id, true, { source: 'admin', actor: { type: 'system', id: null } });
    if (level > 0) await t.services.consent.setLevel(c.id, level, { source: 'api', actor: { type: 'system', id: null } });
    return c.id;
  };
  const linked = async (contactId: string) =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from interactions where contact_id = ${contactId}`.execute(ctx.db.kysely)).rows[0]!.n,
    );
  const all = async () => Number((await sql<{ n: number }>`select count(*) as n from interactions`.execute(ctx.db.kysely)).rows[0]!.n);
  const clicks = async () => {
    const res = await call(
      'GET',
      `/api/v1/stats/interactions?from=2026-03-10&to=2026-03-10&type=email_clicked&ref=${MESSAGE}`,
      undefined,
      'viewer',
    );
    return (json(res).data as { count: number }[])[0]?.count ?? 0;
  };
  const click = (contactId: string) => ({ type: 'email_clicked', contactId, messageId: MESSAGE });

  it('a click without profiling consent leaves no row linked to the contact, and the aggregates count it', async () => {
    const marketing = await contact(4);
    const kid = await contact(5, { isChild: true, guardianId: await contact(5) });
    const profiled = await contact(5);
    const before = await all();
    const counted = await clicks();
    const res = await call('POST', '/api/v1/interactions', { events: [click(marketing), click(kid), click(profiled)] });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data, { accepted: 3, stored: 1, unlinked: 2 });
    assert.equal(await linked(marketing), 0);
    assert.equal(await linked(kid), 0);
    assert.equal(await linked(profiled), 1);
    assert.equal(await all(), before + 1);
    assert.equal(await clicks(), counted + 3);

    const off = await call('PATCH', '/api/v1/settings', { dataProtectionEnabled: false }, 'admin');
    assert.equal(off.statusCode, 200, off.body);
    const nobody = await contact(0);
    await call('POST', '/api/v1/interactions', { events: [click(nobody), click(kid)] });
    assert.equal(await linked(nobody), 1, 'data protection off: an adult at level 0 is tracked');
    assert.equal(await linked(kid), 0, 'a child never is');
    await call('PATCH', '/api/v1/settings', { dataProtectionEnabled: true }, 'admin');
  });

  it('records a single event, stores operational events whatever the consent, and audits the call', async () => {
    const nobody = await contact(0);
    const res = await call('POST', '/api/v1/interactions', {
      type: 'email_sent',
      contactId: nobody,
      messageId: MESSAGE,
      at: '2026-03-10T11:00:00Z',
      properties: { campaign: 'spring' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res).data, { accepted: 1, stored: 1, unlinked: 0 });
    const entries = (await t.services.audit.list({ action: 'interaction.ingest' }, 100)).filter(
      (e) => e.requestId === res.headers['x-request-id'],
    );
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.targetType, 'interaction');
    assert.equal(entries[0]!.outcome, 'ok');
    const list = json(await call('GET', `/api/v1/interactions?contact=${nobody}`, undefined, 'viewer'));
    assert.deepEqual(
      list.data.map((i: { type: string; properties: unknown }) => [i.type, i.properties]),
      [['email_sent', { campaign: 'spring' }]],
    );
  });

  it('refuses roles without write access, and audits the refusal', async () => {
    const c = await contact(5);
    for (const role of ['viewer', 'privacy_officer'] as const) {
      const res = await call('POST', '/api/v1/interactions', click(c), role);
      assert.equal(res.statusCode, 403);
      assert.equal(json(res).error.code, 'forbidden');
      const entries = (await t.services.audit.list({ action: 'interaction.ingest' }, 100)).filter(
        (e) => e.requestId === res.headers['x-request-id'],
      );
      assert.equal(entries[0]?.outcome, 'denied');
    }
    assert.equal((await call('POST', '/api/v1/interactions', click(c), 'admin')).statusCode, 200);
    assert.equal((await call('GET', `/api/v1/interactions?contact=${c}`, undefined, 'privacy_officer')).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/stats/interactions' })).statusCode, 401);
  });

  it('refuses a batch with one bad event whole, naming its index, and writes nothing', async () => {
    const ok = await contact(5);
    const good = [
      click(ok),
      { type: 'email_sent', contactId: ok, messageId: MESSAGE },
      { type: 'page_visited', contactId: ok, pageId: PAGE },
    ];
    const bad: [string, Record<string, unknown>, string][] = [
      ['unknown type', { type: 'email_liked', contactId: ok }, '/type'],
      ['unknown contact', click(newId()), '/contactId'],
      ['unknown contact, operational event', { type: 'email_sent', contactId: newId() }, '/contactId'],
      ['oversize properties', { ...click(ok), properties: { notes: 'x'.repeat(3000) } }, '/properties'],
      ['properties nested too deep', { ...click(ok), properties: { a: { b: { c: { d: 1 } } } } }, '/properties'],
      ['properties not an object', { ...click(ok), properties: [1, 2] }, '/properties'],
      ['bad url', { ...click(ok), url: 'ftp://files.example.com/a' }, '/url'],
      ['future at', { ...click(ok), at: '2026-03-10T12:10:00Z' }, '/at'],
      ['malformed at', { ...click(ok), at: 'yesterday' }, '/at'],
      ['custom without name', { type: 'custom', contactId: ok }, '/name'],
      ['custom with a bad name', { type: 'custom', contactId: ok, name: 'Signed Up' }, '/name'],
      ['wrong field type', { ...click(ok), messageId: 42 }, '/messageId'],
      ['missing contact', { type: 'email_sent' }, '/contactId'],
      ['unknown field', { ...click(ok), colour: 'red' }, '/colour'],
    ];
    const before = await dumpDatabase(ctx.db);
    for (const [name, event, path] of bad) {
      const res = await call('POST', '/api/v1/interactions', { events: [...good, event] });
      assert.equal(res.statusCode, 400, `${name}: ${res.body}`);
      const err = json(res).error;
      assert.equal(err.code, 'validation_failed', name);
      assert.equal(err.details.index, 3, name);
      assert.equal(err.details.path, path, name);
    }
    const single = await call('POST', '/api/v1/interactions', { ...click(ok), url: 'javascript:alert(1)' });
    assert.equal(json(single).error.details.index, 0);
    for (const body of [
      { events: [] },
      { events: Array.from({ length: 10_001 }, () => click(ok)) },
      { events: good, extra: 1 },
      { events: 'all' },
      [click(ok)],
    ]) {
      const res = await call('POST', '/api/v1/interactions', body);
      assert.equal(res.statusCode, 400, res.body.slice(0, 200));
      assert.equal(json(res).error.code, 'validation_failed');
    }
    assert.deepEqual(await dumpDatabase(ctx.db), before);
  });

  it('takes a full batch of 10,000 events in one request', async () => {
    const ids = [await contact(5), await contact(2)];
    const events = Array.from({ length: 10_000 }, (_, i) => ({
      type: i % 3 ? 'email_delivered' : 'email_opened',
      contactId: ids[i % 2],
      messageId: MESSAGE,
      at: '2026-03-09T08:00:00Z',
      properties: { seq: i, source: 'bulk-import-from-the-sending-platform' },
    }));
    const res = await call('POST', '/api/v1/interactions', { events });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.equal(json(res).data.accepted, 10_000);
  });

  it("lists a contact's interactions newest first with paging", async () => {
    const c = await contact(5);
    const events = Array.from({ length: 5 }, (_, i) => ({
      type: 'page_visited',
      contactId: c,
      url: `https://www.example.com/docs/${i}?session=abc`,
      at: `2026-03-0${i + 1}T10:00:00Z`,
    }));
    await call('POST', '/api/v1/interactions', { events: [...events, { type: 'email_sent', contactId: c, messageId: MESSAGE }] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(
        'GET',
        `/api/v1/interactions?contact=${c}&type=page_visited&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        'viewer',
      );
      assert.equal(res.statusCode, 200, res.body);
      const page = json(res);
      seen.push(...page.data.map((i: { url: string }) => i.url));
      cursor = page.page.next;
    } while (cursor);
    assert.deepEqual(
      seen,
      [4, 3, 2, 1, 0].map((i) => `https://www.example.com/docs/${i}`),
    );
    const res = await call('GET', `/api/v1/interactions?contact=${c}`, undefined, 'viewer');
    const entries = (await t.services.audit.list({ action: 'interaction.list' }, 100)).filter(
      (e) => e.requestId === res.headers['x-request-id'],
    );
    assert.deepEqual([entries[0]?.targetType, entries[0]?.targetId], ['contact', c]);
    assert.equal((await call('GET', `/api/v1/interactions?contact=${newId()}`)).statusCode, 404);
    assert.equal((await call('GET', '/api/v1/interactions')).statusCode, 400, 'contact is required');
    const other = json(await call('GET', `/api/v1/interactions?contact=${await contact(5)}&limit=1`));
    assert.equal(other.page.next, null);
    const foreign = await call(
      'GET',
      `/api/v1/interactions?contact=${await contact(0)}&cursor=${Buffer.from(`v1:${newId()}`).toString('base64url')}`,
    );
    assert.equal(json(foreign).error.code, 'invalid_cursor');
  });

  it('serves anonymous daily counts: no contact, no query string', async () => {
    const c = await contact(5);
    await call('POST', '/api/v1/interactions', {
      type: 'page_visited',
      contactId: c,
      url: 'https://www.example.com/pricing?email=jane@example.com&utm=x#frag',
    });
    const res = await call('GET', '/api/v1/stats/interactions?type=page_visited', undefined, 'viewer');
    assert.equal(res.statusCode, 200, res.body);
    const body = json(res);
    assert.deepEqual(Object.keys(body).sort(), ['data', 'truncated']);
    assert.ok(body.data.some((r: { ref: string }) => r.ref === 'https://www.example.com/pricing'));
    for (const r of body.data) assert.deepEqual(Object.keys(r).sort(), ['count', 'day', 'ref', 'type']);
    const raw = JSON.stringify((await sql`select * from interaction_stats`.execute(ctx.db.kysely)).rows);
    assert.doesNotMatch(raw, /jane|[?#@]|utm/);
    assert.ok(!raw.includes(c));
    const stored = json(await call('GET', `/api/v1/interactions?contact=${c}`)).data[0];
    assert.equal(
      stored.url,
      'https://www.example.com/pricing',
      'the per-contact row drops the query string too (only utm_* parameters are kept)',
    );
    for (const q of [
      'from=2026-13-01',
      'from=2025-01-01&to=2026-03-10',
      'from=2026-03-10&to=2026-03-01',
      'type=email_liked',
      'colour=red',
    ]) {
      const r = await call('GET', `/api/v1/stats/interactions?${q}`);
      assert.equal(r.statusCode, 400, q);
      assert.equal(json(r).error.code, 'validation_failed');
    }
  });
});
