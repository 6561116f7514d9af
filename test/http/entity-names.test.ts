import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { liveColumns, namesInUse } from '../../src/db/introspect.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const entity = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  linked: true,
  erase: 'delete',
  retention: 'P1Y',
  fields: [{ name: 'note', type: 'text', personal: true }],
  ...extra,
});

/**
 * Names made at run time (custom entities' tables and indexes, custom fields' columns) must not
 * collide with each other or with anything already in the database: a clash is refused with a
 * 409 that names it, or cannot happen by construction. Never a 500.
 */
forEachDialect('run-time schema names', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const define = (body: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/v1/entities', headers: t.auth('admin'), payload: body as object });
  const field = (name: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/contact-fields',
      headers: t.auth('admin'),
      payload: { name, type: 'text', personal: true },
    });
  const tables = async () => new Set((await liveColumns(ctx.db)).map((c) => c.table));

  it('an entity named like another entity’s index or key is its own table', async () => {
    // Each pair: the first entity's derived names (contact index, created index, primary key
    // index on PostgreSQL) are the second entity's table name under the old naming.
    for (const [a, b] of [
      ['orders', 'orders_contact_idx'],
      ['invoices', 'invoices_created_idx'],
      ['tickets', 'tickets_pkey'],
      ['visits_contact_idx', 'visits'],
    ]) {
      for (const name of [a!, b!]) {
        const res = await define(entity(name));
        assert.equal(res.statusCode, 201, `${name}: ${res.body}`);
        const created = json(res).data;
        const rec = await t.app.inject({
          method: 'POST',
          url: `/api/v1/entities/${name}/records`,
          headers: t.auth('admin'),
          payload: { fields: { note: 'x' } },
        });
        assert.equal(rec.statusCode, 201, rec.body);
        assert.equal(created.table, `entity_${name}`);
      }
    }
  });

  it('the longest name keeps every derived name whole (PostgreSQL cuts identifiers at 63 bytes)', async () => {
    const name = `l${'x'.repeat(39)}`;
    assert.equal((await define(entity(name))).statusCode, 201);
    const table = `entity_${name}`;
    // SQLite names a primary key's index itself (sqlite_autoindex_…). On PostgreSQL a linked
    // entity is partitioned by contact id, so its id has an index of ours instead of a key.
    const derived = [table, ...(ctx.dialect === 'postgres' ? [`${table}__id_idx`] : []), `${table}__contact_idx`, `${table}__created_idx`];
    assert.deepEqual(await namesInUse(ctx.db, derived), [...derived].sort());
  });

  it('refuses names that could meet another entity’s derived names', async () => {
    for (const name of ['a__contact_idx', 'x__y', 'z__']) {
      const res = await define(entity(name));
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(json(res).error.code, 'validation_failed');
      assert.ok((json(res).error.details as { path: string }[]).some((d) => d.path === '/name'));
      assert.ok(!(await tables()).has(`entity_${name}`));
    }
  });

  it('a name the database already uses for something else is a 409 that names it', async () => {
    await sql`create table entity_legacy (id text primary key)`.execute(ctx.db.kysely);
    await sql`create table entity_old_things (id text primary key)`.execute(ctx.db.kysely);
    await sql`create index entity_parcels__contact_idx on entity_old_things (id)`.execute(ctx.db.kysely);
    try {
      for (const [name, clash] of [
        ['legacy', 'entity_legacy'],
        ['parcels', 'entity_parcels__contact_idx'],
      ]) {
        const res = await define(entity(name!));
        assert.equal(res.statusCode, 409, res.body);
        const err = json(res).error;
        assert.equal(err.code, 'name_taken');
        assert.ok(JSON.stringify(err.details).includes(clash!), `names ${clash}: ${res.body}`);
        assert.equal(
          (await t.services.entities.list()).some((e) => e.name === name),
          false,
          'nothing declared',
        );
      }
    } finally {
      await sql`drop table entity_old_things`.execute(ctx.db.kysely);
      await sql`drop table entity_legacy`.execute(ctx.db.kysely);
    }
  });

  it('a custom field whose column exists already is a 409 that names it', async () => {
    await sql`alter table contacts add column cf_shoe_size text`.execute(ctx.db.kysely);
    try {
      const res = await field('shoe_size');
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(json(res).error.code, 'name_taken');
      assert.ok(JSON.stringify(json(res).error.details).includes('cf_shoe_size'));
      assert.equal(
        (await t.services.customFields.list()).some((f) => f.name === 'shoe_size'),
        false,
      );
    } finally {
      await sql`alter table contacts drop column cf_shoe_size`.execute(ctx.db.kysely);
    }
  });

  it('two concurrent creates of one name: one is made, the other answers 409', async () => {
    for (let round = 0; round < 3; round++) {
      const name = `race_${round}`;
      const res = await Promise.all([define(entity(name)), define(entity(name)), define(entity(`${name}_contact_idx`))]);
      assert.deepEqual(res.map((r) => r.statusCode).sort(), [201, 201, 409], res.map((r) => r.body).join('\n'));
      const refused = res.find((r) => r.statusCode === 409)!;
      assert.equal(json(refused).error.code, 'entity_exists');
      const fields = await Promise.all([field(`race_${round}`), field(`race_${round}`)]);
      assert.deepEqual(fields.map((r) => r.statusCode).sort(), [201, 409], fields.map((r) => r.body).join('\n'));
      assert.equal(json(fields.find((r) => r.statusCode === 409)!).error.code, 'field_exists');
    }
  });
});
