import type { Kysely } from 'kysely';

/**
 * A bulk action (a list change, consent change, erasure or export over many contacts) is one
 * audit entry with how many records it covered, not one entry per contact.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('count', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').dropColumn('count').execute();
}
