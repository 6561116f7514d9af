import type { Kysely, Migration } from 'kysely';

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
};
