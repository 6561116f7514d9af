import { sql, type Kysely } from 'kysely';
import { cols } from './columns.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);

  await db.schema
    .createTable('contacts')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('email', c.text, (col) => col.notNull().unique())
    .addColumn('first_name', c.text)
    .addColumn('last_name', c.text)
    .addColumn('phone', c.text)
    .addColumn('company', c.text)
    .addColumn('country', c.text)
    .addColumn('language', c.text)
    .addColumn('birth_date', c.text)
    .addColumn('is_child', c.bool, (col) => col.notNull().defaultTo(0))
    .addColumn('guardian_id', c.text, (col) => col.references('contacts.id').onDelete('set null'))
    .addColumn('guardian_consent', c.bool, (col) => col.notNull().defaultTo(0))
    .addColumn('consent_level', c.int, (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('contacts_guardian_idx').on('contacts').column('guardian_id').execute();
  await db.schema.createIndex('contacts_level_idx').on('contacts').column('consent_level').execute();
  await db.schema.createIndex('contacts_birth_idx').on('contacts').column('birth_date').execute();

  // Custom contact fields: each one is a real column on contacts (cf_<name>), declared here
  // so the data map, export and erasure see it like any built-in column.
  await db.schema
    .createTable('custom_fields')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('name', c.text, (col) => col.notNull().unique())
    .addColumn('label', c.text, (col) => col.notNull())
    .addColumn('type', c.text, (col) => col.notNull())
    .addColumn('personal', c.bool, (col) => col.notNull())
    .addColumn('column_name', c.text, (col) => col.notNull().unique())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('notices')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('hash', c.text, (col) => col.notNull().unique())
    .addColumn('text', c.text, (col) => col.notNull())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('lists')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('name', c.text, (col) => col.notNull().unique())
    .addColumn('description', c.text)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('list_members')
    .addColumn('contact_id', c.text, (col) => col.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('list_id', c.text, (col) => col.notNull().references('lists.id').onDelete('cascade'))
    .addColumn('joined_at', c.ts, (col) => col.notNull())
    .addPrimaryKeyConstraint('list_members_pk', ['contact_id', 'list_id'])
    .execute();
  await db.schema.createIndex('list_members_list_idx').on('list_members').columns(['list_id', 'contact_id']).execute();

  // The consent ledger: one hash chain over all entries in `seq` order. Each entry's hash
  // covers the previous entry's hash and a hash of its own content, so an erased entry can
  // drop its content and keep both hashes (a stub) while the chain still verifies.
  await db.schema
    .createTable('consent_ledger')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('seq', c.bigint, (col) => col.notNull().unique())
    .addColumn('contact_id', c.text)
    .addColumn('kind', c.text, (col) => col.notNull())
    .addColumn('list_id', c.text)
    .addColumn('old_value', c.int)
    .addColumn('new_value', c.int)
    .addColumn('source', c.text)
    .addColumn('actor_type', c.text)
    .addColumn('actor_id', c.text)
    .addColumn('notice_hash', c.text)
    .addColumn('evidence_ip', c.text)
    .addColumn('evidence_ua', c.text)
    .addColumn('nonce', c.text)
    .addColumn('at', c.ts, (col) => col.notNull())
    .addColumn('content_hash', c.text, (col) => col.notNull())
    .addColumn('prev_hash', c.text, (col) => col.notNull())
    .addColumn('entry_hash', c.text, (col) => col.notNull())
    .addColumn('erased_at', c.ts)
    .execute();
  await db.schema.createIndex('consent_ledger_contact_idx').on('consent_ledger').columns(['contact_id', 'seq']).execute();

  // The newest entry's hash, updated with every append: deleting the last entries is detected.
  await db.schema
    .createTable('ledger_head')
    .addColumn('id', c.int, (col) => col.primaryKey())
    .addColumn('seq', c.bigint, (col) => col.notNull())
    .addColumn('entry_hash', c.text, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .execute();
  await sql`insert into ledger_head (id, seq, entry_hash, updated_at)
    values (1, 0, ${'0'.repeat(64)}, ${new Date(0).toISOString()})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['ledger_head', 'consent_ledger', 'list_members', 'lists', 'notices', 'custom_fields', 'contacts'])
    await db.schema.dropTable(t).execute();
}
