import type { Migration } from 'kysely';

// Frozen once landed: inline, imports no application code.
export const eventsMigrations: Record<string, Migration> = {
  '0015_events_log': {
    up: async (db) => {
      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('fields', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // An erasure deletes a person's events by contact; retention by age (ids are time-ordered, created_at too).
      await db.schema.createIndex('events_contact_idx').on('events').column('contact_id').execute();
      await db.schema.createIndex('events_created_idx').on('events').column('created_at').execute();
    },
    down: async (db) => {
      await db.schema.dropTable('events').execute();
    },
  },
};
