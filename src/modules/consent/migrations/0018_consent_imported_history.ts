import type { Kysely } from 'kysely';
import { cols } from '../../../db/migrations/columns.ts';

/**
 * Consent history brought from another system by an import: the time the consent was originally
 * given and where, as that system recorded them. The entry's own `at` stays the time it was
 * appended (the chain's order); these are fields of its content, covered by the content hash
 * from hash version 3 on. Null on every entry that was not imported history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema.alterTable('consent_ledger').addColumn('original_at', c.ts).execute();
  await db.schema.alterTable('consent_ledger').addColumn('original_source', c.text).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('consent_ledger').dropColumn('original_source').execute();
  await db.schema.alterTable('consent_ledger').dropColumn('original_at').execute();
}
