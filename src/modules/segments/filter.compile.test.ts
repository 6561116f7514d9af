import assert from 'node:assert/strict';
import { it } from 'node:test';
import SQLite from 'better-sqlite3';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteDialect, sql } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import type { GateQuestion } from '../consent/gate.ts';
import { compileFilter, prefixSuccessor, type CompileContext } from './filter.compile.ts';
import type { FilterNode } from './filter.model.ts';

const pgKysely = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const sqliteKysely = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });

const question: GateQuestion = { purpose: 'marketing', required: 4, dataProtection: true, childCutoff: '2010-06-15' };

function compiled(dialect: Dialect, node: FilterNode, contact?: string): { sql: string; parameters: readonly unknown[] } {
  const ctx: CompileContext = {
    ...(contact !== undefined ? { contact } : {}),
    dialect,
    customFields: new Map([['score', { column: 'cf_score', type: 'number' }]]),
    purposes: new Set(['marketing']),
    questions: new Map([['marketing', question]]),
    childCutoff: '2010-06-15',
    now: new Date('2026-06-15T12:00:00.000Z'),
  };
  const q = sql`select c.id from contacts c where ${compileFilter(node, ctx)}`.compile(dialect === 'postgres' ? pgKysely : sqliteKysely);
  // Whitespace is layout (a long SQL template is wrapped at the formatter's width), not meaning.
  return { sql: q.sql.replace(/\s+/g, ' ').replace(/select c\.id from contacts c where /, ''), parameters: q.parameters };
}

const CASES: { name: string; node: FilterNode; sqlite: string; postgres: string; params: unknown[] }[] = [
  {
    name: 'equality',
    node: { field: 'country', op: '=', value: 'DE' },
    sqlite: '("c"."country" is not null and "c"."country" = ?)',
    postgres: '("c"."country" is not null and "c"."country" = $1)',
    params: ['DE'],
  },
  {
    name: 'inequality keeps nulls',
    node: { field: 'country', op: '!=', value: 'DE' },
    sqlite: '("c"."country" is null or "c"."country" <> ?)',
    postgres: '("c"."country" is null or "c"."country" <> $1)',
    params: ['DE'],
  },
  {
    name: 'number comparison',
    node: { field: 'customFields.score', op: '>=', value: 2.5 },
    sqlite: '("c"."cf_score" is not null and "c"."cf_score" >= cast(? as double precision))',
    postgres: '("c"."cf_score" is not null and "c"."cf_score" >= cast($1 as double precision))',
    params: [2.5],
  },
  {
    name: 'in',
    node: { field: 'language', op: 'in', value: ['de', 'fr'] },
    sqlite: '("c"."language" is not null and ("c"."language" in (select value from json_each(?))))',
    postgres: '("c"."language" is not null and ("c"."language" = any(cast($1 as text[]))))',
    params: ['["de","fr"]', ['de', 'fr']],
  },
  {
    name: 'in over numbers',
    node: { field: 'customFields.score', op: 'in', value: [1, 2.5] },
    sqlite: '("c"."cf_score" is not null and ("c"."cf_score" in (select value from json_each(?))))',
    postgres: '("c"."cf_score" is not null and ("c"."cf_score" = any(cast($1 as float8[]))))',
    params: ['[1,2.5]', [1, 2.5]],
  },
  {
    name: 'contains',
    node: { field: 'email', op: 'contains', value: '@example' },
    sqlite: '("c"."email" is not null and instr("c"."email", ?) > 0)',
    postgres: '("c"."email" is not null and strpos("c"."email", $1) > 0)',
    params: ['@example'],
  },
  {
    name: 'starts_with as an index range',
    node: { field: 'lastName', op: 'starts_with', value: '😀a' },
    sqlite: '("c"."last_name" is not null and "c"."last_name" >= ? and "c"."last_name" < ?)',
    postgres: '("c"."last_name" is not null and "c"."last_name" >= $1 and "c"."last_name" < $2)',
    params: ['😀a', '😀b'],
  },
  {
    name: 'starts_with the empty string',
    node: { field: 'lastName', op: 'starts_with', value: '' },
    sqlite: '("c"."last_name" is not null and "c"."last_name" >= ?)',
    postgres: '("c"."last_name" is not null and "c"."last_name" >= $1)',
    params: [''],
  },
  {
    name: 'is_null',
    node: { field: 'phone', op: 'is_null' },
    sqlite: '("c"."phone" is null)',
    postgres: '("c"."phone" is null)',
    params: [],
  },
  {
    name: 'child status',
    node: { field: 'isChild', op: '=', value: true },
    sqlite: '("c"."is_child" = 1 or ("c"."birth_date" is not null and "c"."birth_date" > ?))',
    postgres: '("c"."is_child" = 1 or ("c"."birth_date" is not null and "c"."birth_date" > $1))',
    params: ['2010-06-15'],
  },
  {
    name: 'consent level',
    node: { consent: { atLeast: 3 } },
    sqlite: '("c"."consent_level" >= 3)',
    postgres: '("c"."consent_level" >= 3)',
    params: [],
  },
  {
    name: 'list',
    node: { list: '01900000-0000-7000-8000-000000000001' },
    sqlite: '("c"."id" in (select lm.contact_id from list_members lm where lm.list_id = ?))',
    postgres: '("c"."id" in (select lm.contact_id from list_members lm where lm.list_id = $1))',
    params: ['01900000-0000-7000-8000-000000000001'],
  },
  {
    name: 'behaviour, once',
    node: { behaviour: { type: 'email_clicked', ref: 'm1' } },
    sqlite: '("c"."id" in (select i.contact_id from interactions i where i.type = ? and i.ref = ?))',
    postgres: '("c"."id" in (select i.contact_id from interactions i where i.type = $1 and i.ref = $2))',
    params: ['email_clicked', 'm1'],
  },
  {
    name: 'behaviour, counted in a window',
    node: { behaviour: { type: 'email_clicked', withinDays: 30, atLeast: 2 } },
    sqlite:
      '("c"."id" in (select i.contact_id from interactions i where i.type = ? and i.at >= ? group by i.contact_id having count(*) >= 2))',
    postgres:
      '("c"."id" in (select i.contact_id from interactions i where i.type = $1 and i.at >= $2 group by i.contact_id having count(*) >= 2))',
    params: ['email_clicked', '2026-05-16T12:00:00.000Z'],
  },
  {
    name: 'and / or / not',
    node: {
      and: [{ consent: { atLeast: 1 } }, { not: { or: [{ consent: { atLeast: 4 } }, { field: 'country', op: 'is_null', value: false }] } }],
    },
    sqlite: '(("c"."consent_level" >= 1) and (not (("c"."consent_level" >= 4) or ("c"."country" is not null))))',
    postgres: '(("c"."consent_level" >= 1) and (not (("c"."consent_level" >= 4) or ("c"."country" is not null))))',
    params: [],
  },
];

for (const c of CASES) {
  it(`compiles ${c.name} for SQLite and PostgreSQL`, () => {
    const s = compiled('sqlite', c.node);
    const p = compiled('postgres', c.node);
    assert.equal(s.sql, c.sqlite);
    assert.equal(p.sql, c.postgres);
    // A list travels as one parameter: a JSON array on SQLite, an array on PostgreSQL.
    const list = 'field' in c.node && c.node.op === 'in';
    assert.deepEqual(s.parameters, list ? [c.params[0]] : c.params);
    assert.deepEqual(p.parameters, list ? [c.params[1]] : c.params);
  });
}

it("compiles the largest lists a filter may hold to one parameter each, well within both databases' limits", () => {
  const lists = Array.from(
    { length: 50 },
    (_, k) => ({ field: 'email', op: 'in', value: Array.from({ length: 1000 }, (_, i) => `${k}.${i}@example.org`) }) as FilterNode,
  );
  for (const dialect of ['sqlite', 'postgres'] as const) assert.equal(compiled(dialect, { or: lists }).parameters.length, 50);
});

const ONE = '01900000-0000-7000-8000-0000000000aa';
const NARROWED: { name: string; node: FilterNode; sqlite: string; postgres: string; params: unknown[] }[] = [
  {
    name: 'list',
    node: { list: '01900000-0000-7000-8000-000000000001' },
    sqlite: '("c"."id" in (select lm.contact_id from list_members lm where lm.list_id = ? and lm.contact_id = ?))',
    postgres: '("c"."id" in (select lm.contact_id from list_members lm where lm.list_id = $1 and lm.contact_id = $2))',
    params: ['01900000-0000-7000-8000-000000000001', ONE],
  },
  {
    name: 'behaviour, counted',
    node: { behaviour: { type: 'page_visited', atLeast: 3 } },
    sqlite:
      '("c"."id" in (select i.contact_id from interactions i where i.type = ? and i.contact_id = ? group by i.contact_id having ' +
      'count(*) >= 3))',
    postgres:
      '("c"."id" in (select i.contact_id from interactions i where i.type = $1 and i.contact_id = $2 group by i.contact_id having ' +
      'count(*) >= 3))',
    params: ['page_visited', ONE],
  },
  {
    name: 'a field (unchanged)',
    node: { field: 'country', op: '=', value: 'DE' },
    sqlite: '("c"."country" is not null and "c"."country" = ?)',
    postgres: '("c"."country" is not null and "c"."country" = $1)',
    params: ['DE'],
  },
];

for (const c of NARROWED) {
  it(`compiles ${c.name} narrowed to one contact for SQLite and PostgreSQL`, () => {
    const s = compiled('sqlite', c.node, ONE);
    const p = compiled('postgres', c.node, ONE);
    assert.equal(s.sql, c.sqlite);
    assert.equal(p.sql, c.postgres);
    assert.deepEqual(s.parameters, c.params);
    assert.deepEqual(p.parameters, c.params);
  });
}

it('prefix successors bound exactly the strings with the prefix', () => {
  assert.equal(prefixSuccessor('ab'), 'ac');
  assert.equal(prefixSuccessor('a\u{10FFFF}'), 'b');
  assert.equal(prefixSuccessor('\u{10FFFF}'), null);
  assert.equal(prefixSuccessor('\ud7ff'), '\ue000');
  assert.equal(prefixSuccessor('😀'), '😁');
});

it('compiles the consent gate predicate for {"allowed": purpose} from the consent module', () => {
  const s = compiled('sqlite', { allowed: 'marketing' });
  assert.match(s.sql, /"c"\."consent_level"/);
  assert.match(s.sql, /"c"\."guardian_consent" = 1/);
  assert.match(s.sql, /"c"\."is_child" = 1/);
});
