import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { DataMapService } from './datamap.service.ts';
import { validateDataMap } from './datamap.model.ts';

forEachDialect('data map covers the live schema', (ctx) => {
  it('declares every live table and column, and nothing that is absent', async () => {
    const drift = await new DataMapService(ctx.db).drift();
    assert.deepEqual(drift, { undeclared: [], absent: [] });
  });

  it('is internally consistent', async () => {
    assert.deepEqual(await new DataMapService(ctx.db).validate(), []);
  });

  it('fails on a column added without a declaration, and on a table added without one', async () => {
    const svc = new DataMapService(ctx.db);
    await sql`alter table users add column shoe_size text`.execute(ctx.db.kysely);
    await sql`create table scratch_notes (id text primary key, body text)`.execute(ctx.db.kysely);
    try {
      const drift = await svc.drift();
      assert.deepEqual(drift.undeclared, ['scratch_notes.body', 'scratch_notes.id', 'users.shoe_size']);
    } finally {
      await sql`drop table scratch_notes`.execute(ctx.db.kysely);
      await sql`alter table users drop column shoe_size`.execute(ctx.db.kysely);
    }
    assert.deepEqual((await svc.drift()).undeclared, []);
  });

  it('reports a declared column that is missing from the schema', async () => {
    const svc = new DataMapService(ctx.db);
    svc.addProvider(async () => [
      { name: 'ghost', description: 'x', subjectLink: null, purposes: ['operations'], retention: null, columns: [{ name: 'id', category: 'system.id', personal: false, erase: 'keep', exported: false }] },
    ]);
    assert.deepEqual((await svc.drift()).absent, ['ghost.id']);
  });
});

it('validation catches personal data kept on erasure, bad durations and undeclared links', () => {
  const problems = validateDataMap({
    tables: [
      {
        name: 't',
        origin: 'builtin',
        description: '',
        subjectLink: { kind: 'contact', column: 'contact_id' },
        purposes: ['marketing'],
        retention: { after: '30 days', from: 'created' },
        columns: [{ name: 'email', category: 'contact.identity.email', personal: true, erase: 'keep', exported: true }],
      },
    ],
  });
  assert.equal(problems.length, 4, problems.join('\n'));
});
