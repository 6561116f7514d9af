import { sql, type Kysely } from 'kysely';

/*
 * An erasure by address holds the address's key in the registry for the length of its
 * transaction, also when no contact holds it: a placeholder row (email_key, 0, contact_id NULL),
 * inserted and deleted in that transaction and never committed. A concurrent creation of the
 * same address inserts the same (email_key, 0) and so waits for the erasure, then sees its
 * suppression (issue 10, defect 2). contact_emails.contact_id may therefore be NULL.
 * PostgreSQL drops the constraint (on the partitioned table, and so on every partition); SQLite
 * rebuilds the table, which nothing references.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter.constructor.name.startsWith('Postgres')) {
    await sql`alter table contact_emails alter column contact_id drop not null`.execute(db);
    return;
  }
  const def = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'contact_emails'`.execute(db))
    .rows[0]?.sql;
  if (!def) throw new Error('contact_emails table not found');
  const notNull = /("contact_id"\s+text)\s+not\s+null/i;
  if (!notNull.test(def)) throw new Error('contact_emails.contact_id is not declared as expected; not rebuilding');
  const next = def.replace(notNull, '$1').replace(/^create\s+table\s+"?contact_emails"?/i, 'create table "contact_emails_next"');
  const indexes = (
    await sql<{
      sql: string;
    }>`select sql from sqlite_master where type = 'index' and tbl_name = 'contact_emails' and sql is not null`.execute(db)
  ).rows.map((r) => r.sql);
  await sql.raw(next).execute(db);
  await sql`insert into contact_emails_next (email_key, dup, contact_id) select email_key, dup, contact_id from contact_emails`.execute(db);
  await sql`drop table contact_emails`.execute(db);
  await sql`alter table contact_emails_next rename to contact_emails`.execute(db);
  for (const ix of indexes) await sql.raw(ix).execute(db);
}

export async function down(): Promise<void> {
  // A NOT NULL cannot come back safely while an erasure may hold a placeholder; nothing to undo.
}
