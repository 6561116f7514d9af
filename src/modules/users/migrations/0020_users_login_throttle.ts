import { sql, type Kysely } from 'kysely';

/*
 * The login throttle (issue 12 point 6): one row per subject a failed guess counts against (an
 * address, a client, an address from one client), keyed by a keyed hash, never the address or
 * the client itself. Frozen once landed; inlined, imports no application code. Text compares in
 * binary order on PostgreSQL as on SQLite (the house's column types, src/db/migrations/columns.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter.constructor.name.startsWith('Postgres');
  const text = pg ? sql`text collate "C"` : sql`text`;
  await db.schema
    .createTable('login_throttle')
    .addColumn('key', text, (c) => c.primaryKey())
    .addColumn('address_key', text)
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_at', text, (c) => c.notNull())
    .addColumn('next_at', text)
    .addColumn('good_until', text)
    .addColumn('expires_at', text, (c) => c.notNull())
    .execute();
  // Unlock clears an address's rows by it; retention deletes by the expiry.
  await db.schema.createIndex('login_throttle_address_idx').on('login_throttle').column('address_key').execute();
  await db.schema.createIndex('login_throttle_expires_idx').on('login_throttle').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_throttle').execute();
}
