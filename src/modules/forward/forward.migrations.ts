import type { Migration } from 'kysely';

// Frozen once landed: inline, imports no application code.
export const forwardMigrations: Record<string, Migration> = {
  '0032_forward': {
    up: async (db) => {
      await db.schema
        .createTable('forward_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('send_id', 'text', (c) => c.notNull())
        // Unique: one forward per (send, friend address), whatever is posted again.
        .addColumn('friend_key', 'text', (c) => c.notNull().unique())
        .addColumn('note', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema.createIndex('forward_messages_contact_idx').on('forward_messages').column('contact_id').execute();
      await db.schema.createIndex('forward_messages_created_idx').on('forward_messages').column('created_at').execute();
      // The friend's address in a table of its own, linked by address (the data map's one subject per table). No index on
      // the address: an index's statistics samples would copy it where a delete does not reach; the table holds 30 days.
      await db.schema
        .createTable('forward_recipients')
        // No foreign key to forward_messages: the erasure and the retention delete each table by its own link, and a
        // cascade would take these rows along uncounted (an erasure's receipt must name them).
        .addColumn('forward_id', 'text', (c) => c.primaryKey())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('forward_recipients_created_idx').on('forward_recipients').column('created_at').execute();
    },
  },
};
