import type { Migration } from 'kysely';

// Frozen once landed: inline, imports no application code.
export const journeysMigrations: Record<string, Migration> = {
  '0033_journeys': {
    up: async (db) => {
      await db.schema
        .createTable('journeys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('required_level', 'integer')
        .addColumn('required_purpose', 'text')
        .addColumn('graph', 'text', (c) => c.notNull())
        .addColumn('goal', 'text')
        .addColumn('reentry_after', 'text')
        .addColumn('holdout_percent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('live_at', 'text')
        .addColumn('stopped_at', 'text')
        .execute();
      await db.schema
        .createTable('journey_positions')
        .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.id').onDelete('cascade'))
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('entry', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('tile_id', 'text', (c) => c.notNull())
        .addColumn('visit', 'integer', (c) => c.notNull())
        .addColumn('due_at', 'text')
        .addColumn('wait_event', 'text')
        .addColumn('entered_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('exit_reason', 'text')
        .addColumn('ended_at', 'text')
        .addPrimaryKeyConstraint('journey_positions_pk', ['journey_id', 'contact_id'])
        .execute();
      // The engine's pick: a journey's due positions, oldest first.
      await db.schema
        .createIndex('journey_positions_due_idx')
        .on('journey_positions')
        .columns(['journey_id', 'status', 'due_at'])
        .execute();
      // Erasure and the contact's page: every journey of one contact.
      await db.schema.createIndex('journey_positions_contact_idx').on('journey_positions').column('contact_id').execute();
      await db.schema
        .createTable('journey_steps')
        .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.id').onDelete('cascade'))
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('entry', 'integer', (c) => c.notNull())
        .addColumn('visit', 'integer', (c) => c.notNull())
        .addColumn('tile_id', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('journey_steps_pk', ['journey_id', 'contact_id', 'entry', 'visit'])
        .execute();
      await db.schema.createIndex('journey_steps_contact_idx').on('journey_steps').column('contact_id').execute();
      await db.schema
        .createTable('journey_counters')
        .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.id').onDelete('cascade'))
        .addColumn('tile_id', 'text', (c) => c.notNull())
        .addColumn('counter', 'text', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('journey_counters_pk', ['journey_id', 'tile_id', 'counter'])
        .execute();
      await db.schema
        .createTable('journey_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.id').onDelete('cascade'))
        .addColumn('tile_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('assignee_role', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('done_at', 'text')
        .execute();
      await db.schema.createIndex('journey_tasks_contact_idx').on('journey_tasks').column('contact_id').execute();
      await db.schema.createIndex('journey_tasks_role_idx').on('journey_tasks').columns(['assignee_role', 'status']).execute();
    },
  },
};
