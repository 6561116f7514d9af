import type { Migration } from 'kysely';

// Frozen once landed: inline, imports no application code.
export const emailMigrations: Record<string, Migration> = {
  '0028_email': {
    up: async (db) => {
      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        // A list cannot be deleted today; if it ever can, its newsletters stay, as plain messages.
        .addColumn('list_id', 'text', (c) => c.references('lists.id').onDelete('set null'))
        .addColumn('from_name', 'text')
        .addColumn('from_email', 'text')
        .addColumn('reply_to', 'text')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('html', 'text', (c) => c.notNull())
        .addColumn('text', 'text')
        .addColumn('blocks', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('campaigns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
        // No reference: a segment deleted later leaves its campaigns' history.
        .addColumn('segment_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('recipients', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('ended_at', 'text')
        .execute();
      await db.schema.createIndex('campaigns_message_idx').on('campaigns').column('message_id').execute();
      await db.schema
        .createTable('campaign_counts')
        .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('campaign_counts_pk', ['campaign_id', 'outcome', 'reason'])
        .execute();
      await db.schema
        .createTable('sends')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('campaign_id', 'text', (c) => c.references('campaigns.id'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('tracked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('not_before', 'text')
        .addColumn('smtp_message_id', 'text')
        .addColumn('queued_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('sends_once', ['message_id', 'contact_id', 'origin'])
        .execute();
      // A campaign's batches take its queued sends in order; a contact's page lists its sends;
      // frequency caps count a contact's recent sends of a purpose.
      await db.schema.createIndex('sends_campaign_status_idx').on('sends').columns(['campaign_id', 'status', 'id']).execute();
      await db.schema.createIndex('sends_contact_idx').on('sends').columns(['contact_id', 'purpose', 'sent_at']).execute();
      await db.schema.createIndex('sends_smtp_message_idx').on('sends').column('smtp_message_id').execute();
      await db.schema
        .createTable('email_bounces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text')
        .addColumn('send_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('email_bounces_address_idx').on('email_bounces').column('address').execute();
      await db.schema
        .createTable('undeliverable_addresses')
        .addColumn('email_key', 'text', (c) => c.primaryKey())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('since', 'text', (c) => c.notNull())
        .addColumn('bounce_id', 'text')
        .execute();
    },
    down: async (db) => {
      for (const t of ['undeliverable_addresses', 'email_bounces', 'sends', 'campaign_counts', 'campaigns', 'messages'])
        await db.schema.dropTable(t).execute();
    },
  },
};
