import type { Migration } from 'kysely';

// Frozen once landed: inline, imports no application code.
export const leadsMigrations: Record<string, Migration> = {
  '0034_leads': {
    up: async (db) => {
      await db.schema
        .createTable('leads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('value', 'double precision')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // A contact's leads (its page, erasure, scoring of one person) and an owner's open leads.
      await db.schema.createIndex('leads_contact_idx').on('leads').column('contact_id').execute();
      await db.schema.createIndex('leads_owner_idx').on('leads').columns(['owner_id', 'status']).execute();
      await db.schema
        .createTable('lead_fields')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('personal', 'integer', (c) => c.notNull())
        .addColumn('column_name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};
