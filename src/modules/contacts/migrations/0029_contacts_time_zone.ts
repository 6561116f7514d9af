import type { Kysely } from 'kysely';
import { cols } from '../../../db/migrations/columns.ts';

/**
 * A contact's own time zone (issue 14 point 3): quiet hours are kept in the recipient's time,
 * which is this field, else the country's zone, else the installation's. Null for everyone
 * already stored: their country or the installation decides, as before the field existed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema.alterTable('contacts').addColumn('time_zone', c.text).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contacts').dropColumn('time_zone').execute();
}
