import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Behaviour conditions without a ref ("visited 3 times", "clicked twice in 30 days") group
  // one type's events by contact. This index hands them over in contact order, covering the
  // time window too, so the group-by streams the index instead of sorting table rows.
  await db.schema.createIndex('interactions_type_contact_idx').on('interactions').columns(['type', 'contact_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('interactions_type_contact_idx').execute();
}
