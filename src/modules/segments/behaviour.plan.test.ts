// Behaviour conditions must be served by an index of interactions on both databases, never by a
// scan of the table (10M rows in the benchmark): the index set is chosen for ingest speed
// (interactions.migrations.ts, 0022), and a later change to it must not leave a query shape
// without one. PostgreSQL is asked with sequential scans off, so an empty table's plan still
// says whether an index can serve the query.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/db.ts';
import type { GateQuestion } from '../consent/gate.ts';
import { type CompileContext, compileFilter } from './filter.compile.ts';
import type { FilterNode } from './filter.model.ts';

const question: GateQuestion = { purpose: 'marketing', required: 4, dataProtection: true, childCutoff: '2010-06-15' };

const SHAPES: [string, FilterNode][] = [
  ['a type and a ref', { behaviour: { type: 'email_clicked', ref: 'm1' } }],
  ['a type, a ref and a window', { behaviour: { type: 'email_opened', ref: 'm2', withinDays: 14 } }],
  ['a type counted in a window', { behaviour: { type: 'email_clicked', withinDays: 30, atLeast: 2 } }],
  ['a type counted', { behaviour: { type: 'page_visited', atLeast: 3 } }],
  ['a type at all', { behaviour: { type: 'page_visited' } }],
];

forEachDialect('behaviour conditions use an index of interactions', (ctx) => {
  for (const [name, node] of SHAPES)
    for (const contact of [undefined, '00000000-0000-7000-8000-000000000001'])
      it(`${name}${contact ? ', for one contact' : ''}`, async () => {
        const c: CompileContext = {
          ...(contact ? { contact } : {}),
          dialect: ctx.dialect,
          customFields: new Map(),
          purposes: new Set(['marketing']),
          questions: new Map([['marketing', question]]),
          childCutoff: '2010-06-15',
          now: new Date(),
        };
        const q = sql`select count(*) as n from contacts c where ${compileFilter(node, c)}`.compile(ctx.db.kysely);
        let plan: string;
        if (ctx.dialect === 'sqlite') {
          const rows = ctx.db.sqlite!.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[];
          plan = rows.map((r) => r.detail).join('\n');
          assert.doesNotMatch(plan, /\bSCAN i\b/, plan);
          assert.match(plan, /SEARCH i USING (COVERING )?INDEX interactions_/, plan);
        } else {
          const client = await ctx.db.pool!.connect();
          try {
            await client.query('begin');
            await client.query('set local enable_seqscan = off');
            const r = await client.query<{ 'QUERY PLAN': string }>(`explain ${q.sql}`, q.parameters as unknown[]);
            plan = r.rows.map((x) => x['QUERY PLAN']).join('\n');
            await client.query('rollback');
          } finally {
            client.release();
          }
          assert.doesNotMatch(plan, /Seq Scan on "?interactions/, plan);
          // Every scan of an interactions index searches it (an Index Cond), never walks all of it.
          const lines = plan.split('\n');
          const scans = lines.flatMap((l, i) =>
            /(Index Only Scan|Index Scan) using "?interactions|Bitmap Index Scan on "?interactions/.test(l) ? [i] : [],
          );
          assert.ok(scans.length > 0, plan);
          for (const i of scans)
            assert.ok(
              lines.slice(i + 1, i + 4).some((l) => l.includes('Index Cond:')),
              plan,
            );
          // A condition on a later column of an index is applied by walking all of it: the whole-set
          // shapes need the index that leads with the type (its partitions' copies carry the columns in their names).
          if (!contact) assert.match(plan, /type_ref_at_contact/, plan);
        }
      });
});
