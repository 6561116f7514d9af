import type { Migration } from 'kysely';

// Frozen once landed: inline, imports no application code.
export const pagesMigrations: Record<string, Migration> = {
  '0031_pages': {
    up: async (db) => {
      await db.schema
        .createTable('pages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('intro', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('language', 'text', (c) => c.notNull())
        // A deleted form leaves its landing pages without one: they answer the generic 404 (CONTEXT.md).
        .addColumn('form_id', 'text', (c) => c.references('forms.id').onDelete('set null'))
        .addColumn('published', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pages_form_idx').on('pages').column('form_id').execute();
    },
  },
};
