import type { Kysely, Migration } from 'kysely';

/**
 * The segments module's own migrations (ADR 0013: the history before manifests stays in
 * src/db/migrations). Never edited once landed; never importing application code.
 */
export const segmentsMigrations: Readonly<Record<string, Migration>> = {
  /*
   * A segment says what it is for in words of its owner (the console's list and builder show it),
   * beside its name: free text, optional, so existing segments need nothing.
   */
  '0027_segment_descriptions': {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('segments').addColumn('description', 'text').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('segments').dropColumn('description').execute();
    },
  },
};
