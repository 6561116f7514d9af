import type { Migration } from 'kysely';

// Frozen once landed: inline, imports no application code.
export const scoringMigrations: Record<string, Migration> = {
  '0035_scoring': {
    up: async (db) => {
      await db.schema
        .createTable('scoring_models')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('required_level', 'integer')
        .addColumn('required_purpose', 'text')
        .addColumn('rules', 'text', (c) => c.notNull())
        .addColumn('grades', 'text', (c) => c.notNull())
        .addColumn('sales_ready', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('recompute_job_id', 'text')
        .addColumn('recompute_total', 'integer')
        .addColumn('recompute_done', 'integer')
        .addColumn('recompute_started_at', 'text')
        .addColumn('recompute_finished_at', 'text')
        .execute();
      await db.schema
        .createTable('lead_scores')
        .addColumn('model_id', 'text', (c) => c.notNull().references('scoring_models.id').onDelete('cascade'))
        .addColumn('lead_id', 'text', (c) => c.notNull().references('leads.id').onDelete('cascade'))
        // No foreign key of its own: the row goes with its lead (which goes with its contact), and the
        // key's check on PostgreSQL's partitioned contacts was half of a bulk recompute's insert
        // (bench scoring: 2.7 of 5.8 s at 1/20 scale). The column is the lead's contact, copied
        // for the erasure's and the segment condition's look-ups by person.
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('score', 'integer')
        .addColumn('grade', 'text')
        .addColumn('sales_ready', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('model_version', 'integer', (c) => c.notNull())
        .addColumn('computed_at', 'text', (c) => c.notNull())
        .addColumn('ready_at', 'text')
        .addPrimaryKeyConstraint('lead_scores_pk', ['model_id', 'lead_id'])
        .execute();
      // A contact's scores (erasure, consent changes, the segment condition) and a model's ranking and distribution.
      await db.schema.createIndex('lead_scores_contact_idx').on('lead_scores').column('contact_id').execute();
      await db.schema.createIndex('lead_scores_lead_idx').on('lead_scores').column('lead_id').execute();
      await db.schema.createIndex('lead_scores_model_score_idx').on('lead_scores').columns(['model_id', 'score']).execute();
    },
  },
};
