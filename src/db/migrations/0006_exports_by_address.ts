import { sql, type Kysely } from 'kysely';
import { cols } from './columns.ts';

/**
 * Access exports are linked to the person by address, like the other tables that exist before
 * or without a contact (outbox, requests): a requester no contact holds can still be answered
 * with what those tables keep, and erasure by address or by contact id finds the copy.
 * `contact_id` becomes optional. SQLite cannot relax NOT NULL in place, so the table is
 * rebuilt on both databases alike; its rows (at most 7 days of pending downloads) are copied
 * with the address of their contact. A row whose contact is gone cannot be delivered to anyone
 * and is not copied.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema
    .createTable('exports_next')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('request_id', c.text)
    .addColumn('email', c.text, (col) => col.notNull())
    .addColumn('contact_id', c.text)
    .addColumn('json', c.text, (col) => col.notNull())
    .addColumn('html', c.text, (col) => col.notNull())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('expires_at', c.ts, (col) => col.notNull())
    .execute();
  await sql`insert into exports_next (id, request_id, email, contact_id, json, html, created_at, expires_at)
    select e.id, e.request_id, k.email, e.contact_id, e.json, e.html, e.created_at, e.expires_at from exports e join contacts k
      on k.id = e.contact_id`.execute(db);
  await db.schema.dropTable('exports').execute();
  await db.schema.alterTable('exports_next').renameTo('exports').execute();
  await db.schema.createIndex('exports_email_idx').on('exports').column('email').execute();
  await db.schema.createIndex('exports_contact_idx').on('exports').column('contact_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  await db.schema
    .createTable('exports_prev')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('request_id', c.text)
    .addColumn('contact_id', c.text, (col) => col.notNull())
    .addColumn('json', c.text, (col) => col.notNull())
    .addColumn('html', c.text, (col) => col.notNull())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('expires_at', c.ts, (col) => col.notNull())
    .execute();
  await sql`insert into exports_prev (id, request_id, contact_id, json, html, created_at, expires_at)
    select id, request_id, contact_id, json, html, created_at, expires_at from exports where contact_id is not null`.execute(db);
  await db.schema.dropTable('exports').execute();
  await db.schema.alterTable('exports_prev').renameTo('exports').execute();
  await db.schema.createIndex('exports_contact_idx').on('exports').column('contact_id').execute();
}
