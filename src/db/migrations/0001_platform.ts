import type { Kysely } from 'kysely';
import { cols } from './columns.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const c = cols(db);

  await db.schema
    .createTable('settings')
    .addColumn('key', c.text, (col) => col.primaryKey())
    .addColumn('value', c.json, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('email', c.text, (col) => col.notNull().unique())
    .addColumn('name', c.text)
    .addColumn('role', c.text, (col) => col.notNull())
    .addColumn('password_hash', c.text, (col) => col.notNull())
    .addColumn('disabled', c.bool, (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .addColumn('last_login_at', c.ts)
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('token_hash', c.text, (col) => col.notNull().unique())
    .addColumn('user_id', c.text, (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('expires_at', c.ts, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('name', c.text, (col) => col.notNull())
    .addColumn('prefix', c.text, (col) => col.notNull().unique())
    .addColumn('secret_hash', c.text, (col) => col.notNull())
    .addColumn('role', c.text, (col) => col.notNull())
    .addColumn('created_by', c.text)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('revoked_at', c.ts)
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('at', c.ts, (col) => col.notNull())
    .addColumn('actor_type', c.text, (col) => col.notNull())
    .addColumn('actor_id', c.text)
    .addColumn('action', c.text, (col) => col.notNull())
    .addColumn('target_type', c.text)
    .addColumn('target_id', c.text)
    .addColumn('outcome', c.text, (col) => col.notNull())
    .addColumn('request_id', c.text)
    .execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target_type', 'target_id']).execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('queue', c.text, (col) => col.notNull())
    .addColumn('idempotency_key', c.text, (col) => col.unique())
    .addColumn('payload', c.json, (col) => col.notNull())
    .addColumn('status', c.text, (col) => col.notNull())
    .addColumn('attempts', c.int, (col) => col.notNull().defaultTo(0))
    .addColumn('max_attempts', c.int, (col) => col.notNull())
    .addColumn('run_at', c.ts, (col) => col.notNull())
    .addColumn('locked_by', c.text)
    .addColumn('locked_until', c.ts)
    .addColumn('last_error', c.text)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .addColumn('updated_at', c.ts, (col) => col.notNull())
    .addColumn('finished_at', c.ts)
    .execute();
  // Lease recovery scans running rows by lease end.
  // id last: claims order by (run_at, id) and must read that order off the index, not sort the backlog.
  await db.schema.createIndex('jobs_ready_idx').on('jobs').columns(['queue', 'status', 'run_at', 'id']).execute();
  await db.schema.createIndex('jobs_lease_idx').on('jobs').columns(['status', 'locked_until']).execute();

  // Fixed-window counters shared by every process (a limit kept in one process's memory
  // would reset on restart and multiply with the number of processes).
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', c.text, (col) => col.primaryKey())
    .addColumn('window_start', c.ts, (col) => col.notNull())
    .addColumn('count', c.int, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('rate_limits_window_idx').on('rate_limits').column('window_start').execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', c.text, (col) => col.primaryKey())
    .addColumn('contact_id', c.text)
    .addColumn('to_address', c.text, (col) => col.notNull())
    .addColumn('from_address', c.text, (col) => col.notNull())
    .addColumn('subject', c.text, (col) => col.notNull())
    .addColumn('text_body', c.text)
    .addColumn('html_body', c.text)
    .addColumn('headers', c.json, (col) => col.notNull())
    .addColumn('purpose', c.text)
    .addColumn('created_at', c.ts, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('outbox_contact_idx').on('outbox').column('contact_id').execute();
  await db.schema.createIndex('outbox_to_idx').on('outbox').column('to_address').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['outbox', 'rate_limits', 'jobs', 'audit_log', 'api_keys', 'sessions', 'users', 'settings']) {
    await db.schema.dropTable(t).execute();
  }
}
