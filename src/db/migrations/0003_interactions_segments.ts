import type { Kysely } from 'kysely';
import { cols } from './columns.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);

  // What contacts did or were sent. Behavioural rows exist only for contacts the gate let
  // be profiled at ingest; everything is also counted anonymously in interaction_stats.
  await db.schema
    .createTable('interactions')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('contact_id', c.text, (col) => col.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('type', c.text, (col) => col.notNull())
    .addColumn('name', c.text)
    // The thing acted on: message, journey or page id, or the custom event name; what
    // behaviour conditions in segments match on.
    .addColumn('ref', c.text)
    .addColumn('message_id', c.text)
    .addColumn('journey_id', c.text)
    .addColumn('page_id', c.text)
    .addColumn('url', c.text)
    .addColumn('properties', c.json)
    .addColumn('at', c.ts, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('interactions_contact_idx').on('interactions').columns(['contact_id', 'type', 'ref', 'at']).execute();
  await db.schema.createIndex('interactions_type_ref_idx').on('interactions').columns(['type', 'ref', 'at']).execute();

  // Anonymous daily counters: no contact id, no query strings. Reports stay whole after
  // consent changes and erasure.
  await db.schema
    .createTable('interaction_stats')
    .addColumn('day', c.text, (col) => col.notNull())
    .addColumn('type', c.text, (col) => col.notNull())
    .addColumn('ref', c.text, (col) => col.notNull())
    .addColumn('count', c.bigint, (col) => col.notNull())
    .addPrimaryKeyConstraint('interaction_stats_pk', ['day', 'type', 'ref'])
    .execute();

  await db.schema
    .createTable('segments')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('name', c.text, (col) => col.notNull())
    .addColumn('kind', c.text, (col) => col.notNull())
    .addColumn('filter', c.json, (col) => col.notNull())
    .addColumn('snapshot_at', c.ts)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('segment_members')
    .addColumn('segment_id', c.text, (col) => col.notNull().references('segments.id').onDelete('cascade'))
    .addColumn('contact_id', c.text, (col) => col.notNull().references('contacts.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('segment_members_pk', ['segment_id', 'contact_id'])
    .execute();
  await db.schema.createIndex('segment_members_contact_idx').on('segment_members').column('contact_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['segment_members', 'segments', 'interaction_stats', 'interactions']) await db.schema.dropTable(t).execute();
}
