import type { Kysely } from 'kysely';
import { cols } from './columns.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);

  // A data-subject request (a case). After an erasure the case keeps only the keyed hash of
  // the address (email_hmac), never the address itself.
  await db.schema
    .createTable('requests')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('type', c.text, (col) => col.notNull())
    .addColumn('email', c.text)
    .addColumn('email_hmac', c.text, (col) => col.notNull())
    .addColumn('contact_id', c.text)
    .addColumn('status', c.text, (col) => col.notNull())
    .addColumn('channel', c.text, (col) => col.notNull())
    .addColumn('owner_id', c.text)
    .addColumn('received_at', c.ts, (col) => col.notNull())
    .addColumn('deadline', c.text, (col) => col.notNull())
    .addColumn('extended_at', c.ts)
    .addColumn('extension_reason', c.text)
    .addColumn('verified_at', c.ts)
    .addColumn('completed_at', c.ts)
    .addColumn('flagged', c.bool, (col) => col.notNull().defaultTo(0))
    .addColumn('flag_detail', c.text)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('requests_status_idx').on('requests').columns(['status', 'deadline']).execute();
  await db.schema.createIndex('requests_hmac_idx').on('requests').column('email_hmac').execute();
  await db.schema.createIndex('requests_contact_idx').on('requests').column('contact_id').execute();

  // The status history of each case: appended, never changed.
  await db.schema
    .createTable('request_events')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('request_id', c.text, (col) => col.notNull().references('requests.id').onDelete('cascade'))
    .addColumn('at', c.ts, (col) => col.notNull())
    .addColumn('status', c.text, (col) => col.notNull())
    .addColumn('actor_type', c.text, (col) => col.notNull())
    .addColumn('actor_id', c.text)
    .addColumn('note', c.text)
    .execute();
  await db.schema.createIndex('request_events_request_idx').on('request_events').columns(['request_id', 'at']).execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('request_id', c.text, (col) => col.references('requests.id').onDelete('set null'))
    .addColumn('contact_id', c.text)
    .addColumn('type', c.text, (col) => col.notNull())
    .addColumn('title', c.text, (col) => col.notNull())
    .addColumn('status', c.text, (col) => col.notNull())
    .addColumn('assignee_id', c.text)
    .addColumn('due_date', c.text)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .addColumn('completed_at', c.ts)
    .execute();
  await db.schema.createIndex('tasks_status_idx').on('tasks').columns(['status', 'due_date']).execute();
  await db.schema.createIndex('tasks_contact_idx').on('tasks').column('contact_id').execute();

  // Keyed hashes of erased addresses: creating or importing them again is refused.
  await db.schema
    .createTable('suppressions')
    .addColumn('email_hmac', c.text, (col) => col.primaryKey())
    .addColumn('reason', c.text, (col) => col.notNull())
    .addColumn('request_id', c.text)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .execute();

  // What an erasure removed: counts per table, never values.
  await db.schema
    .createTable('erasure_receipts')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('request_id', c.text)
    .addColumn('at', c.ts, (col) => col.notNull())
    .addColumn('actor_type', c.text, (col) => col.notNull())
    .addColumn('actor_id', c.text)
    .addColumn('tables', c.json, (col) => col.notNull())
    .addColumn('residue', c.json)
    .execute();

  // Access exports waiting to be downloaded through an expiring link.
  await db.schema
    .createTable('exports')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('request_id', c.text)
    .addColumn('contact_id', c.text, (col) => col.notNull())
    .addColumn('json', c.text, (col) => col.notNull())
    .addColumn('html', c.text, (col) => col.notNull())
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('expires_at', c.ts, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('exports_contact_idx').on('exports').column('contact_id').execute();

  // Custom entities: each is a real table entity_<name> with columns f_<field>, declared here.
  await db.schema
    .createTable('custom_entities')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('name', c.text, (col) => col.notNull().unique())
    .addColumn('label', c.text, (col) => col.notNull())
    .addColumn('table_name', c.text, (col) => col.notNull().unique())
    .addColumn('linked', c.bool, (col) => col.notNull())
    .addColumn('erase', c.text, (col) => col.notNull())
    .addColumn('retention', c.text)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('custom_entity_fields')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('entity_id', c.text, (col) => col.notNull().references('custom_entities.id').onDelete('cascade'))
    .addColumn('name', c.text, (col) => col.notNull())
    .addColumn('type', c.text, (col) => col.notNull())
    .addColumn('personal', c.bool, (col) => col.notNull())
    .addColumn('column_name', c.text, (col) => col.notNull())
    .addUniqueConstraint('custom_entity_fields_name_uq', ['entity_id', 'name'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'custom_entity_fields',
    'custom_entities',
    'exports',
    'erasure_receipts',
    'suppressions',
    'tasks',
    'request_events',
    'requests',
  ])
    await db.schema.dropTable(t).execute();
}
