import type { Kysely, Migration } from 'kysely';

// Migrations import no application code: the dialect is read from the adapter, as src/db/migrations/columns.ts does.
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter.constructor.name.startsWith('Postgres');

/**
 * The interactions module's own migrations (ADR 0013: the history before manifests stays in
 * src/db/migrations). Never edited once landed; never importing application code.
 */
export const interactionsMigrations: Readonly<Record<string, Migration>> = {
  /*
   * Ingest writes every index of the busiest table, and an index keyed by random contacts costs a
   * random page per event: two of the three were (contact_id, type, ref, at) and
   * (type, contact_id, at). The second served behaviour without a ref ("visited 3 times"), which
   * one covering index serves too, together with behaviour with a ref: (type, ref, at,
   * contact_id) walks one type's events (a ref and a time window narrow it) and hands over the
   * contact ids without reading the table. Its key grows with time within a (type, ref), so
   * inserts land near the end instead of anywhere. The per-contact index stays: a contact's
   * timeline, "why is this contact in it", erasure and export all start from the contact.
   */
  '0022_interactions_lean_indexes': {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createIndex('interactions_type_ref_at_contact_idx')
        .on('interactions')
        .columns(['type', 'ref', 'at', 'contact_id'])
        .execute();
      await db.schema.dropIndex('interactions_type_contact_idx').ifExists().execute();
      await db.schema.dropIndex('interactions_type_ref_idx').ifExists().execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('interactions_type_ref_idx').on('interactions').columns(['type', 'ref', 'at']).execute();
      await db.schema.createIndex('interactions_type_contact_idx').on('interactions').columns(['type', 'contact_id', 'at']).execute();
      await db.schema.dropIndex('interactions_type_ref_at_contact_idx').ifExists().execute();
    },
  },
  /*
   * PostgreSQL keeps the three indexes it had (the segments benchmark chose, 200,000 contacts and
   * 2M interactions, back to back on a quiet machine): with the covering index in place of
   * (type, ref, at) and (type, contact_id, at), its planner ran `c.id in (select contact_id from
   * interactions where …)` inside an OR as a subplan per contact instead of hashing it once:
   * "marketing and (DE or opened m2 in 14 days) and not on L2" went from 249 ms to 16.5 s (the
   * hand-written SQL as slow: the schema, not the app), "clicked m1" from 47 to 141 ms. Ingest
   * gained 14% there, not worth it. SQLite keeps the lean pair: its ingest gained 27% and its
   * slowest behaviour count stays under 0.4 s.
   */
  '0024_interactions_postgres_indexes': {
    async up(db: Kysely<any>): Promise<void> {
      if (!isPostgres(db)) return;
      await db.schema.createIndex('interactions_type_ref_idx').ifNotExists().on('interactions').columns(['type', 'ref', 'at']).execute();
      await db.schema
        .createIndex('interactions_type_contact_idx')
        .ifNotExists()
        .on('interactions')
        .columns(['type', 'contact_id', 'at'])
        .execute();
      await db.schema.dropIndex('interactions_type_ref_at_contact_idx').ifExists().execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      if (!isPostgres(db)) return;
      await db.schema
        .createIndex('interactions_type_ref_at_contact_idx')
        .ifNotExists()
        .on('interactions')
        .columns(['type', 'ref', 'at', 'contact_id'])
        .execute();
      await db.schema.dropIndex('interactions_type_contact_idx').ifExists().execute();
      await db.schema.dropIndex('interactions_type_ref_idx').ifExists().execute();
    },
  },
};
