// Migration 0036_tasks_for_users: tasks made before it keep every value; afterwards a task may
// have no journey or tile (a lead's owner's), a source key is unique, and deleting a journey
// still takes its tasks (the SQLite rebuild kept the foreign key).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Migration, Migrator } from 'kysely';
import { DIALECTS, scratchDatabase } from '../../../test/helpers/db.ts';
import { migrations as history } from '../../db/migrations/index.ts';
import { newId } from '../../lib/ids.ts';
import { MODULES } from '../index.ts';
import { migrate } from '../../services.ts';

const AT = '2026-03-01T10:00:00.000Z';

for (const d of DIALECTS) {
  describe(`migration 0036_tasks_for_users [${d.name}]`, { skip: d.skip }, () => {
    it('keeps old tasks, lets journey, tile and role be null, keys tasks by source and keeps the cascade', async () => {
      const scratch = await scratchDatabase(d.name);
      try {
        const all: Record<string, Migration> = { ...history, ...Object.assign({}, ...MODULES.map((m) => m.migrations ?? {})) };
        const earlier: Record<string, Migration> = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0036'));
        const r = await new Migrator({ db: scratch.db.kysely, provider: { getMigrations: async () => earlier } }).migrateToLatest();
        if (r.error) throw r.error;
        // The tables as they were before 0036, not as the Database type has them now.
        const k = scratch.db.kysely as any;
        const contact = newId();
        await k
          .insertInto('contacts')
          .values({
            id: contact,
            email: 'task@example.org',
            consent_level: 3,
            is_child: 0,
            guardian_consent: 0,
            created_at: AT,
            updated_at: AT,
          })
          .execute();
        const journey = newId();
        await k
          .insertInto('journeys')
          .values({ id: journey, name: 'Old', state: 'draft', graph: '{"tiles":[]}', created_at: AT, updated_at: AT })
          .execute();
        const old = {
          id: newId(),
          journey_id: journey,
          tile_id: 'call',
          contact_id: contact,
          assignee_role: 'marketer',
          title: 'Call 📞',
          status: 'open',
          created_at: AT,
          done_at: null,
        };
        await k.insertInto('journey_tasks').values(old).execute();
        await migrate(scratch.db);
        const kept = await k.selectFrom('journey_tasks').selectAll().where('id', '=', old.id).executeTakeFirstOrThrow();
        assert.deepEqual(kept, { ...old, assignee_user_id: null, lead_id: null, source_key: null });
        const mine = { ...old, journey_id: null, tile_id: null, assignee_role: null, source_key: 'lead.sales_ready:x:y' };
        await k
          .insertInto('journey_tasks')
          .values({ ...mine, id: newId() })
          .execute();
        await assert.rejects(
          k
            .insertInto('journey_tasks')
            .values({ ...mine, id: newId() })
            .execute(),
          'a source key makes one task',
        );
        await k.deleteFrom('journeys').where('id', '=', journey).execute();
        const left = await k.selectFrom('journey_tasks').select(['journey_id']).execute();
        assert.deepEqual(left, [{ journey_id: null }], "the journey's task went with it, the other stays");
      } finally {
        await scratch.drop();
      }
    });
  });
}
