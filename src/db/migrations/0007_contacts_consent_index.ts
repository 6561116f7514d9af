import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The consent gate as SQL ("allowed marketing" in a segment, bulk sends) reads these four
  // columns and states consent_level >= required outright: this index serves that range and
  // covers the rest of the rule, so the table itself is not read.
  await db.schema
    .createIndex('contacts_consent_idx')
    .on('contacts')
    .columns(['consent_level', 'is_child', 'guardian_consent', 'birth_date'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('contacts_consent_idx').execute();
}
