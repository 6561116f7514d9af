import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { declaredDataMap } from '../../services.ts';
import { DataMapService } from './datamap.service.ts';
import { validateDataMap } from './datamap.model.ts';

forEachDialect('data map covers the live schema', (ctx) => {
  it('declares every live table and column, and nothing that is absent', async () => {
    const drift = await new DataMapService(ctx.db, declaredDataMap()).drift();
    assert.deepEqual(drift, { undeclared: [], absent: [] });
  });

  it('is internally consistent', async () => {
    assert.deepEqual(await new DataMapService(ctx.db, declaredDataMap()).validate(), []);
  });

  it('fails on a column added without a declaration, and on a table added without one', async () => {
    const svc = new DataMapService(ctx.db, declaredDataMap());
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
    const svc = new DataMapService(ctx.db, declaredDataMap());
    svc.addProvider(async () => [
      {
        name: 'ghost',
        description: 'x',
        subjectLink: null,
        purposes: ['operations'],
        retention: null,
        columns: [{ name: 'id', category: 'system.id', personal: false, erase: 'keep', exported: false }],
      },
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

forEachDialect('data map: free text and classifications (issue 9, point 11)', (ctx) => {
  it('a contact id is personal wherever it is stored', async () => {
    const map = await new DataMapService(ctx.db, declaredDataMap()).getMap();
    const refs = map.tables.flatMap((t) =>
      t.columns.filter((c) => c.category === 'system.ref.contact').map((c) => ({ at: `${t.name}.${c.name}`, personal: c.personal })),
    );
    assert.ok(refs.length >= 8);
    assert.deepEqual(
      refs.filter((r) => !r.personal).map((r) => r.at),
      [],
    );
  });

  it('declares the columns staff and callers write free text into, and says so in JSON and Markdown', async () => {
    const svc = new DataMapService(ctx.db, declaredDataMap());
    const map = await svc.getMap();
    const free = map.tables.flatMap((t) => t.columns.filter((c) => c.freeText).map((c) => `${t.name}.${c.name}:${c.erase}`)).sort();
    for (const c of [
      'api_keys.name:keep',
      'custom_entities.label:keep',
      'custom_fields.label:keep',
      'interaction_stats.ref:keep',
      'jobs.last_error:keep',
      'jobs.payload:keep',
      'lists.description:keep',
      'lists.name:keep',
      'notices.text:keep',
      'request_events.note:redact',
      'requests.extension_reason:redact',
      'requests.flag_detail:redact',
      'segments.filter:redact',
      'segments.name:keep',
      'settings.value:keep',
      'tasks.title:redact',
    ])
      assert.ok(free.includes(c), `${c} in ${free.join(' ')}`);
    assert.ok(
      map.tables.every((t) => t.columns.every((c) => typeof c.freeText === 'boolean')),
      'the JSON form states freeText for every column',
    );
    const md = await svc.markdown();
    assert.match(md, /\| column \| category \| personal \| free text \| on erasure \| exported \|/);
    assert.match(md, /\| note \| dsr\.note \| no \| yes \| redact \| no \|/);
    const events = map.tables.find((t) => t.name === 'request_events')!;
    assert.deepEqual(events.partOf, { table: 'requests', column: 'request_id' });
  });
});

it('validation: redaction needs free text, a part-of link needs a linked table, flags need declared columns', () => {
  const col = (name: string, extra: object = {}) => ({
    name,
    category: 'system.id',
    personal: false,
    erase: 'keep' as const,
    exported: false,
    ...extra,
  });
  const problems = validateDataMap({
    tables: [
      {
        name: 'a',
        origin: 'builtin',
        description: '',
        subjectLink: null,
        purposes: ['operations'],
        retention: null,
        columns: [col('id'), col('body', { erase: 'redact' })],
      },
      {
        name: 'b',
        origin: 'builtin',
        description: '',
        subjectLink: null,
        partOf: { table: 'a', column: 'a_id' },
        purposes: ['operations'],
        retention: null,
        columns: [col('id')],
      },
      {
        name: 'c',
        origin: 'builtin',
        description: '',
        subjectLink: null,
        flag: { flag: 'flagged', detail: 'why' },
        purposes: ['operations'],
        retention: null,
        columns: [col('id')],
      },
    ],
  });
  assert.equal(problems.length, 5, problems.join('\n'));
});
