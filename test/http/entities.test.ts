import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { liveColumns } from '../../src/db/introspect.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import type { Role } from '../../src/modules/users/users.model.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const ORDERS = {
  name: 'orders',
  label: 'Orders',
  linked: true,
  erase: 'delete',
  retention: 'P2Y',
  fields: [
    { name: 'reference', type: 'text', personal: false },
    { name: 'total', type: 'number', personal: false },
    { name: 'gift', type: 'boolean', personal: false },
    { name: 'note', type: 'text', personal: true },
    { name: 'placed', type: 'date', personal: false },
  ],
};
const CARDS = {
  name: 'loyalty_cards',
  linked: true,
  erase: 'anonymise',
  fields: [
    { name: 'card_no', type: 'text', personal: true },
    { name: 'tier', type: 'text', personal: false },
  ],
};
const EVENTS = { name: 'events', linked: false, erase: 'delete', fields: [{ name: 'title', type: 'text', personal: false }] };

forEachDialect('custom entities API', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let t: TestApp;
  let contactId: string;
  before(async () => {
    t = await testApp(ctx.db, { clock });
    contactId = (await t.services.contacts.create({ email: 'ana@example.com' })).id;
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, role: Role = 'privacy_officer') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const paths = (res: Parameters<typeof json>[0]) => (json(res).error.details as { path: string }[]).map((d) => d.path).sort();

  it('defines entities of both erase kinds, each a typed table, and refuses a second with the same name', async () => {
    const res = await call('POST', '/api/v1/entities', ORDERS);
    assert.equal(res.statusCode, 201, res.body);
    const e = json(res).data;
    assert.equal(e.table, 'entity_orders');
    assert.deepEqual(
      e.fields.map((f: { column: string }) => f.column),
      ['f_reference', 'f_total', 'f_gift', 'f_note', 'f_placed'],
      'in the order defined',
    );
    assert.equal((await call('POST', '/api/v1/entities', CARDS)).statusCode, 201);
    assert.equal((await call('POST', '/api/v1/entities', EVENTS)).statusCode, 201);

    const again = await call('POST', '/api/v1/entities', ORDERS);
    assert.equal(again.statusCode, 409);
    assert.equal(json(again).error.code, 'entity_exists');

    const live = (await liveColumns(ctx.db))
      .filter((c) => c.table === 'entity_orders')
      .map((c) => c.column)
      .sort();
    assert.deepEqual(live, ['contact_id', 'created_at', 'f_gift', 'f_note', 'f_placed', 'f_reference', 'f_total', 'id', 'updated_at']);
    assert.ok(
      !(await liveColumns(ctx.db)).some((c) => c.table === 'entity_events' && c.column === 'contact_id'),
      'an unlinked entity has no contact column',
    );

    const list = json(await call('GET', '/api/v1/entities', undefined, 'viewer')).data;
    assert.deepEqual(
      list.map((x: { name: string }) => x.name),
      ['events', 'loyalty_cards', 'orders'],
    );
    assert.equal(json(await call('GET', '/api/v1/entities/orders', undefined, 'viewer')).data.retention, 'P2Y');
    assert.equal((await call('GET', '/api/v1/entities/nope')).statusCode, 404);
  });

  it('refuses bad definitions with every problem named, and creates nothing', async () => {
    const cases: [unknown, string[]][] = [
      [
        {
          ...ORDERS,
          name: 'dup_fields',
          fields: [
            { name: 'a', type: 'text', personal: true },
            { name: 'a', type: 'number', personal: false },
          ],
        },
        ['/fields/1/name'],
      ],
      [{ ...ORDERS, name: 'bad_retention', retention: '2 years' }, ['/retention']],
      [{ ...ORDERS, name: 'Bad-Name' }, ['/name']],
      [{ ...ORDERS, name: 'no_fields', fields: [] }, ['/fields']],
      [{ ...ORDERS, name: 'bad_type', fields: [{ name: 'a', type: 'json', personal: false }] }, ['/fields/0/type']],
      [{ ...ORDERS, name: 'bad_erase', erase: 'shred' }, ['/erase']],
    ];
    for (const [body, expected] of cases) {
      const res = await call('POST', '/api/v1/entities', body);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(json(res).error.code, 'validation_failed');
      for (const p of expected)
        assert.ok(
          paths(res).some((x) => x.startsWith(p)),
          `${JSON.stringify(body).slice(0, 60)}: ${paths(res).join(',')}`,
        );
    }
    const tables = new Set((await liveColumns(ctx.db)).map((c) => c.table));
    for (const n of ['dup_fields', 'bad_retention', 'no_fields', 'bad_type', 'bad_erase']) assert.ok(!tables.has(`entity_${n}`));
  });

  it('creates the table and its declaration together or not at all', async () => {
    await sql`create table entity_clash (id text primary key)`.execute(ctx.db.kysely);
    try {
      await assert.rejects(t.services.entities.define({ ...ORDERS, name: 'clash' }));
      assert.equal(
        (await t.services.entities.list()).some((e) => e.name === 'clash'),
        false,
      );
    } finally {
      await sql`drop table entity_clash`.execute(ctx.db.kysely);
    }
  });

  it('declares each entity in the data map, with erase actions per kind, and leaves no drift', async () => {
    const map = json(await call('GET', '/api/v1/datamap', undefined, 'viewer')).data;
    const table = (n: string) => map.tables.find((x: { name: string }) => x.name === n);
    const erase = (n: string) => Object.fromEntries(table(n).columns.map((c: { name: string; erase: string }) => [c.name, c.erase]));

    const orders = table('entity_orders');
    assert.equal(orders.origin, 'runtime');
    assert.deepEqual(orders.subjectLink, { kind: 'contact', column: 'contact_id' });
    assert.deepEqual(orders.retention, { after: 'P2Y', from: 'created_at' });
    assert.ok(Object.values(erase('entity_orders')).every((a) => a === 'delete-row'));
    const note = orders.columns.find((c: { name: string }) => c.name === 'f_note');
    assert.deepEqual(
      { category: note.category, personal: note.personal, exported: note.exported },
      { category: 'entity.orders.note', personal: true, exported: true },
    );

    // A text field not declared personal is still free text: redacted in the person's own rows that stay.
    assert.deepEqual(erase('entity_loyalty_cards'), {
      id: 'keep',
      contact_id: 'null',
      created_at: 'keep',
      updated_at: 'keep',
      f_card_no: 'null',
      f_tier: 'redact',
    });
    assert.equal(table('entity_loyalty_cards').columns.find((c: { name: string }) => c.name === 'f_tier').freeText, true);
    const events = table('entity_events');
    assert.equal(events.subjectLink, null);
    assert.ok(events.columns.every((c: { erase: string; exported: boolean }) => c.erase === 'keep' && !c.exported));

    assert.deepEqual(await t.services.datamap.drift(), { undeclared: [], absent: [] });
    assert.deepEqual(await t.services.datamap.validate(), []);
  });

  it('creates, reads, pages, changes and deletes records with typed values', async () => {
    const created = await call('POST', '/api/v1/entities/orders/records', {
      contactId,
      fields: { reference: 'R-1', total: 12.5, gift: true, note: 'ring twice', placed: '2026-03-01' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const r = json(created).data;
    assert.deepEqual(r.fields, { reference: 'R-1', total: 12.5, gift: true, note: 'ring twice', placed: '2026-03-01' });
    assert.equal(r.contactId, contactId);
    assert.equal(r.createdAt, '2026-03-10T12:00:00.000Z');

    for (let i = 2; i <= 3; i++)
      assert.equal((await call('POST', '/api/v1/entities/orders/records', { contactId, fields: { reference: `R-${i}` } })).statusCode, 201);
    assert.equal(
      (await call('POST', '/api/v1/entities/orders/records', { fields: { reference: 'walk-in' } })).statusCode,
      201,
      'the link is optional',
    );

    const page1 = json(await call('GET', '/api/v1/entities/orders/records?limit=2', undefined, 'viewer'));
    assert.equal(page1.data.length, 2);
    assert.ok(page1.page.next);
    const page2 = json(await call('GET', `/api/v1/entities/orders/records?limit=2&cursor=${page1.page.next}`, undefined, 'viewer'));
    assert.equal(page2.data.length, 2);
    assert.equal(page2.page.next, null);
    const mine = json(await call('GET', `/api/v1/entities/orders/records?contact=${contactId}`));
    assert.deepEqual(
      mine.data.map((x: { fields: { reference: string } }) => x.fields.reference),
      ['R-1', 'R-2', 'R-3'],
    );

    clock.advance(60_000);
    const patched = await call('PATCH', `/api/v1/entities/orders/records/${r.id}`, {
      fields: { gift: false, note: null },
      contactId: null,
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(json(patched).data.fields, { reference: 'R-1', total: 12.5, gift: false, note: null, placed: '2026-03-01' });
    assert.equal(json(patched).data.contactId, null);
    assert.equal(json(patched).data.updatedAt, '2026-03-10T12:01:00.000Z');
    assert.deepEqual(json(await call('GET', `/api/v1/entities/orders/records/${r.id}`, undefined, 'viewer')).data, json(patched).data);

    assert.equal((await call('DELETE', `/api/v1/entities/orders/records/${r.id}`)).statusCode, 204);
    assert.equal((await call('GET', `/api/v1/entities/orders/records/${r.id}`)).statusCode, 404);
    assert.equal((await call('DELETE', `/api/v1/entities/orders/records/${r.id}`)).statusCode, 404);
  });

  it('refuses wrong types, unknown fields, unknown contacts and links on unlinked entities', async () => {
    const bad = await call('POST', '/api/v1/entities/orders/records', {
      contactId: '01900000-0000-7000-8000-000000000000',
      fields: { total: 'a lot', gift: 'yes', placed: '2026-02-30', nope: 1 },
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(paths(bad), ['/fields/gift', '/fields/nope', '/fields/placed', '/fields/total']);
    const ghost = await call('POST', '/api/v1/entities/orders/records', { contactId: '01900000-0000-7000-8000-000000000000', fields: {} });
    assert.equal(ghost.statusCode, 400);
    assert.deepEqual(paths(ghost), ['/contactId']);
    const unlinked = await call('POST', '/api/v1/entities/events/records', { contactId, fields: { title: 'Fair' } });
    assert.equal(unlinked.statusCode, 400);
    assert.deepEqual(paths(unlinked), ['/contactId']);
    assert.equal((await call('POST', '/api/v1/entities/events/records', { fields: { title: 'Fair' } })).statusCode, 201);
    assert.equal((await call('POST', '/api/v1/entities/nope/records', { fields: {} })).statusCode, 404);
    const tooLong = await call('POST', '/api/v1/entities/orders/records', { fields: { note: 'x'.repeat(2001) } });
    assert.equal(tooLong.statusCode, 400);
  });

  it('takes part in erasure and retention through the data map: delete, anonymise, expire', async () => {
    const person = (await t.services.contacts.create({ email: 'erase.me@example.com' })).id;
    const order = await t.services.entities.createRecord('orders', {
      contactId: person,
      fields: { reference: 'R-9', note: 'personal note' },
    });
    const card = await t.services.entities.createRecord('loyalty_cards', { contactId: person, fields: { card_no: 'C-123', tier: 'gold' } });
    await t.services.erasure.erase({ contactIds: [person] }, { actor: { type: 'system', id: null } });
    await assert.rejects(t.services.entities.getRecord('orders', order.id), { code: 'not_found' });
    assert.deepEqual(await t.services.entities.getRecord('loyalty_cards', card.id), {
      ...card,
      contactId: null,
      fields: { card_no: null, tier: 'gold' },
    });

    const kept = await t.services.entities.createRecord('orders', { fields: { reference: 'new' } });
    clock.advance(2 * 366 * 86_400_000);
    const fresh = await t.services.entities.createRecord('orders', { fields: { reference: 'fresh' } });
    const items = await t.services.retention.run({ actor: { type: 'system', id: null } });
    assert.ok((items.find((i) => i.table === 'entity_orders')?.rows ?? 0) >= 1);
    await assert.rejects(t.services.entities.getRecord('orders', kept.id), { code: 'not_found' });
    assert.equal((await t.services.entities.getRecord('orders', fresh.id)).fields.reference, 'fresh');
  });

  it('lets privacy officers and admins define and write; viewers only read; marketers not at all', async () => {
    assert.equal((await call('POST', '/api/v1/entities', { ...EVENTS, name: 'by_viewer' }, 'viewer')).statusCode, 403);
    assert.equal((await call('POST', '/api/v1/entities/events/records', { fields: {} }, 'viewer')).statusCode, 403);
    assert.equal((await call('GET', '/api/v1/entities', undefined, 'marketer')).statusCode, 403);
    assert.equal((await call('POST', '/api/v1/entities', { ...EVENTS, name: 'by_admin' }, 'admin')).statusCode, 201);
  });
});
