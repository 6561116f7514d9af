// Migration 0009: anonymous counters recorded before references were derived without identifiers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { DIALECTS, scratchDatabase } from '../../../test/helpers/db.ts';
import { migrate } from '../../services.ts';
import { migrations } from '../../db/migrations/index.ts';

for (const d of DIALECTS) {
  describe(`migration 0009 rewrites counters that hold identifiers [${d.name}]`, { skip: d.skip }, () => {
    it('merges the counts of URLs that now share a reference, and the per-contact rows follow', async () => {
      const scratch = await scratchDatabase(d.name);
      try {
        const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0009'));
        const r = await new Migrator({ db: scratch.db.kysely, provider: { getMigrations: async () => earlier } }).migrateToLatest();
        if (r.error) throw r.error;
        const k = scratch.db.kysely;
        await k
          .insertInto('interaction_stats')
          .values([
            { day: '2026-01-01', type: 'page_visited', ref: 'https://shop.example/u/ada@example.org', count: 2 },
            { day: '2026-01-01', type: 'page_visited', ref: 'https://shop.example/u/bob@example.org', count: 3 },
            { day: '2026-01-01', type: 'page_visited', ref: 'https://shop.example/u/:email', count: 1 },
            { day: '2026-01-02', type: 'page_visited', ref: 'https://shop.example/order/12345678', count: 4 },
            { day: '2026-01-02', type: 'custom', ref: 'invoice.paid', count: 5 },
            { day: '2026-01-02', type: 'email_opened', ref: '01900000-0000-7000-8000-0000000000aa', count: 6 },
          ])
          .execute();
        const now = '2026-01-01T00:00:00.000Z';
        await k
          .insertInto('contacts')
          .values({
            id: '01900000-0000-7000-8000-000000000c01',
            email: 'ada@example.org',
            consent_level: 5,
            is_child: 0,
            guardian_consent: 0,
            created_at: now,
            updated_at: now,
          } as never)
          .execute();
        await k
          .insertInto('interactions')
          .values({
            id: '01900000-0000-7000-8000-000000000101',
            contact_id: '01900000-0000-7000-8000-000000000c01',
            type: 'page_visited',
            name: null,
            ref: 'https://shop.example/u/ada@example.org',
            message_id: null,
            journey_id: null,
            page_id: null,
            url: 'https://shop.example/u/ada@example.org',
            properties: null,
            at: now,
          })
          .execute();
        await migrate(scratch.db);
        const rows = (
          await sql<{
            day: string;
            type: string;
            ref: string;
            count: number;
          }>`select day, type, ref, count from interaction_stats order by day, type, ref`.execute(k)
        ).rows.map((x) => [x.day, x.type, x.ref, Number(x.count)]);
        assert.deepEqual(rows, [
          ['2026-01-01', 'page_visited', 'https://shop.example/u/:email', 6],
          ['2026-01-02', 'custom', 'invoice.paid', 5],
          ['2026-01-02', 'email_opened', '01900000-0000-7000-8000-0000000000aa', 6],
          ['2026-01-02', 'page_visited', 'https://shop.example/order/:num', 4],
        ]);
        const row = await k.selectFrom('interactions').select(['ref', 'url']).executeTakeFirstOrThrow();
        assert.deepEqual(row, { ref: 'https://shop.example/u/:email', url: 'https://shop.example/u/ada@example.org' });
      } finally {
        await scratch.drop();
      }
    });
  });
}
