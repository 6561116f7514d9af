import { type Kysely, type Migration, sql } from 'kysely';

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
  // Issue 17: a task may be for one user (a lead's owner) and about a lead, made by no journey
  // (sales-ready). `source_key` keys a task made by an event, so a redelivered event makes none.
  '0036_tasks_for_users': {
    up: async (db) => {
      const pg = db.getExecutor().adapter.constructor.name.startsWith('Postgres');
      if (pg) {
        for (const column of ['journey_id', 'tile_id', 'assignee_role'])
          await sql`alter table journey_tasks alter column ${sql.id(column)} drop not null`.execute(db);
        await db.schema
          .alterTable('journey_tasks')
          .addColumn('assignee_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
          .execute();
        await db.schema
          .alterTable('journey_tasks')
          .addColumn('lead_id', 'text', (c) => c.references('leads.id').onDelete('set null'))
          .execute();
        await db.schema.alterTable('journey_tasks').addColumn('source_key', 'text').execute();
      } else await rebuildTasksSqlite(db);
      await db.schema.createIndex('journey_tasks_user_idx').on('journey_tasks').columns(['assignee_user_id', 'status']).execute();
      await db.schema.createIndex('journey_tasks_lead_idx').on('journey_tasks').column('lead_id').execute();
      await db.schema.createIndex('journey_tasks_source_key').on('journey_tasks').column('source_key').unique().execute();
    },
  },
};

/**
 * SQLite cannot drop NOT NULL: the table is made again as it is to be and the rows copied, as
 * SQLite documents (foreign keys off, one transaction, foreign_key_check before the commit;
 * migrations on SQLite run outside a transaction). Nothing references journey_tasks.
 */
async function rebuildTasksSqlite(db: Kysely<any>): Promise<void> {
  await sql`pragma foreign_keys = off`.execute(db);
  await sql`begin immediate`.execute(db);
  try {
    await db.schema
      .createTable('journey_tasks_next')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('journey_id', 'text', (c) => c.references('journeys.id').onDelete('cascade'))
      .addColumn('tile_id', 'text')
      .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
      .addColumn('assignee_role', 'text')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('done_at', 'text')
      .addColumn('assignee_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('lead_id', 'text', (c) => c.references('leads.id').onDelete('set null'))
      .addColumn('source_key', 'text')
      .execute();
    await sql`insert into journey_tasks_next (id, journey_id, tile_id, contact_id, assignee_role, title, status, created_at, done_at)
      select id, journey_id, tile_id, contact_id, assignee_role, title, status, created_at, done_at from journey_tasks`.execute(db);
    await sql`drop table journey_tasks`.execute(db);
    await sql`alter table journey_tasks_next rename to journey_tasks`.execute(db);
    await db.schema.createIndex('journey_tasks_contact_idx').on('journey_tasks').column('contact_id').execute();
    await db.schema.createIndex('journey_tasks_role_idx').on('journey_tasks').columns(['assignee_role', 'status']).execute();
    const broken = await sql`pragma foreign_key_check`.execute(db);
    if (broken.rows.length) throw new Error('foreign keys broken by rebuilding journey_tasks');
    await sql`commit`.execute(db);
  } catch (e) {
    await sql`rollback`.execute(db);
    throw e;
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
