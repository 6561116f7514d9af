import { sql, type Kysely } from 'kysely';
import { cols } from './columns.ts';

/*
 * Addresses compare by a key: the address lower-cased whole (the first contract lower-cased only
 * the domain, so "Ada.Case@" and "ada.case@" became two contacts). The key lives in an address
 * registry, `contact_emails (email_key, dup, contact_id)`, primary key (email_key, dup): every
 * address written from now on has dup = 0, so a key is held once; the contacts that already
 * share a key keep it with dup = 1, 2, … (oldest first), none merged or deleted, and are listed
 * for an admin (`GET /api/v1/contacts/duplicates`, `assent contacts duplicates`). The registry,
 * not contacts, holds the uniqueness so that PostgreSQL can partition contacts by id (a
 * partitioned table's unique indexes must contain its partition key). The unique index on
 * contacts.email goes; a plain one stays for the written form. The tables linked to a person by
 * address get an index on lower(address), what their case-insensitive lookups ask.
 */

/** src/lib/email.ts's emailKey as this migration landed (migrations never import application code). */
function emailKey(address: string): string {
  return address.trim().normalize('NFC').toLowerCase();
}

const PAGE = 1000;

export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);
  if (c.dialect === 'sqlite') await dropUniqueEmailSqlite(db);
  else await dropUniqueEmailPostgres(db);
  await db.schema.createIndex('contacts_email_idx').on('contacts').column('email').execute();

  await db.schema
    .createTable('contact_emails')
    .addColumn('email_key', c.text, (col) => col.notNull())
    .addColumn('dup', c.int, (col) => col.notNull())
    .addColumn('contact_id', c.text, (col) => col.notNull().references('contacts.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('contact_emails_pk', ['email_key', 'dup'])
    .execute();
  await db.schema.createIndex('contact_emails_contact_idx').on('contact_emails').column('contact_id').execute();

  // Every contact's key with its creation time, then numbered per key, oldest first.
  await db.schema
    .createTable('contact_emails_stage')
    .addColumn('email_key', c.text, (col) => col.notNull())
    .addColumn('contact_id', c.text, (col) => col.notNull())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .execute();
  // ASCII addresses (nearly all) are keyed by SQL's lower(), which folds exactly ASCII on both
  // databases; the rest by the key function, a page at a time.
  const ascii = c.dialect === 'sqlite' ? sql`length(email) = length(cast(email as blob))` : sql`octet_length(email) = char_length(email)`;
  await sql`insert into contact_emails_stage (email_key, contact_id, created_at) select lower(trim(email)), id, created_at from contacts
    where ${ascii}`.execute(db);
  let after = '';
  for (;;) {
    const page = (
      await sql<{
        id: string;
        email: string;
        created_at: string;
      }>`select id, email, created_at from contacts where id > ${after} and not (${ascii}) order by id limit ${PAGE}`.execute(db)
    ).rows;
    if (page.length === 0) break;
    const values = page.map((r) => sql`(${emailKey(r.email)}, ${r.id}, ${r.created_at})`);
    await sql`insert into contact_emails_stage (email_key, contact_id, created_at) values ${sql.join(values)}`.execute(db);
    after = page[page.length - 1]!.id;
  }
  await sql`insert into contact_emails (email_key, dup, contact_id)
    select email_key, row_number() over (partition by email_key order by created_at, contact_id) - 1, contact_id from
      contact_emails_stage`.execute(db);
  await sql`drop table contact_emails_stage`.execute(db);

  for (const [table, column] of [
    ['requests', 'email'],
    ['exports', 'email'],
    ['outbox', 'to_address'],
  ] as const) {
    await db.schema
      .createIndex(`${table}_${column}_lower_idx`)
      .on(table)
      .expression(sql`lower(${sql.ref(column)})`)
      .execute();
  }
}

async function dropUniqueEmailPostgres(db: Kysely<any>): Promise<void> {
  const r = await sql<{ name: string }>`
    select con.conname as name from pg_constraint con
    join pg_attribute a on a.attrelid = con.conrelid and a.attnum = any(con.conkey)
    where con.conrelid = 'contacts'::regclass and con.contype = 'u' and a.attname = 'email' and array_length(con.conkey, 1) = 1`.execute(
    db,
  );
  for (const { name } of r.rows) await sql`alter table contacts drop constraint ${sql.id(name)}`.execute(db);
}

/**
 * SQLite cannot drop a column's UNIQUE: the table is rebuilt from its own definition (custom
 * field columns included) without it, as SQLite documents (foreign keys off, one transaction,
 * foreign_key_check before the commit). Migrations on SQLite run outside a transaction.
 */
async function dropUniqueEmailSqlite(db: Kysely<any>): Promise<void> {
  const def = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'contacts'`.execute(db)).rows[0]
    ?.sql;
  if (!def) throw new Error('contacts table not found');
  const unique = /("email"\s+text\s+not\s+null)\s+unique/i;
  if (!unique.test(def)) throw new Error('contacts.email is not declared as expected; not rebuilding');
  const next = def.replace(unique, '$1').replace(/^create\s+table\s+"?contacts"?/i, 'create table "contacts_next"');
  const indexes = (
    await sql<{ sql: string }>`select sql from sqlite_master where type = 'index' and tbl_name = 'contacts' and sql is not null`.execute(db)
  ).rows.map((r) => r.sql);
  await sql`pragma foreign_keys = off`.execute(db);
  await sql`begin immediate`.execute(db);
  try {
    await sql.raw(next).execute(db);
    await sql`insert into contacts_next select * from contacts`.execute(db);
    await sql`drop table contacts`.execute(db);
    await sql`alter table contacts_next rename to contacts`.execute(db);
    for (const ix of indexes) await sql.raw(ix).execute(db);
    const broken = await sql`pragma foreign_key_check`.execute(db);
    if (broken.rows.length) throw new Error('foreign keys broken by rebuilding contacts');
    await sql`commit`.execute(db);
  } catch (e) {
    await sql`rollback`.execute(db);
    throw e;
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, column] of [
    ['requests', 'email'],
    ['exports', 'email'],
    ['outbox', 'to_address'],
  ] as const)
    await db.schema.dropIndex(`${table}_${column}_lower_idx`).execute();
  await db.schema.dropTable('contact_emails').execute();
  await db.schema.dropIndex('contacts_email_idx').execute();
  // The unique index cannot come back while duplicates exist; it is not restored.
}
