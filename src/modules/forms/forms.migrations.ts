import type { Migration } from 'kysely';

// Frozen once landed: inline, imports no application code.
export const formsMigrations: Record<string, Migration> = {
  '0030_forms': {
    up: async (db) => {
      await db.schema
        .createTable('forms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('double_opt_in', 'integer', (c) => c.notNull().defaultTo(0))
        // A JSON array of origins (https://shop.example): design data, no person's.
        .addColumn('allowed_origins', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('current_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('archived_at', 'text')
        .execute();
      await db.schema
        .createTable('form_versions')
        .addColumn('form_id', 'text', (c) => c.notNull().references('forms.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('form_versions_pk', ['form_id', 'version'])
        .execute();
      await db.schema
        .createTable('form_submissions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('form_id', 'text', (c) => c.notNull().references('forms.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        // Null while a double opt-in waits: no contact exists or changes before the person confirms.
        .addColumn('contact_id', 'text', (c) => c.references('contacts.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('ip_prefix', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('confirmed_at', 'text')
        .execute();
      await db.schema.createIndex('form_submissions_form_idx').on('form_submissions').columns(['form_id', 'created_at']).execute();
      await db.schema.createIndex('form_submissions_contact_idx').on('form_submissions').column('contact_id').execute();
      await db.schema
        .createTable('form_confirmations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('submission_id', 'text', (c) => c.notNull().unique().references('form_submissions.id').onDelete('cascade'))
        // Null until a double opt-in's link is mailed (and while a submission waits for its job).
        .addColumn('token_hash', 'text', (c) => c.unique())
        // The address and the changes that wait for the submission's job or the person's confirmation (JSON): personal.
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('changes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('form_confirmations_expiry_idx').on('form_confirmations').column('expires_at').execute();
    },
  },
  // Anonymous counters, kept by the forms module because its one submission path counts every accepted post
  // (pages, module `pages`, count their views and read the totals through it). Number 0031 is the pages' work.
  '0031_page_counters': {
    up: async (db) => {
      await db.schema
        .createTable('page_counters')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('views', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('submissions', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('page_counters_pk', ['kind', 'target_id', 'day'])
        .execute();
    },
  },
};
