// The machine's limit for the benchmarks' second baseline ("raw tuned"): the raw driver on a
// tuned connection and the leanest schema the product's queries allow, fixed here rather than
// taken from the app's configuration, so the ratio says how far the app is from what the
// machine can do, not from itself.
import type SQLite from 'better-sqlite3';
import type pg from 'pg';

/**
 * The indexes the queries over interactions need: per contact (a timeline, "why is this contact
 * in the segment", erasure, export) and per type and reference over time (segment behaviour,
 * covering the contact id). Nothing else; no foreign key checks.
 */
export const LEAN_INTERACTION_INDEXES: readonly [name: string, columns: readonly string[]][] = [
  ['interactions_contact_idx', ['contact_id', 'type', 'ref', 'at']],
  ['interactions_type_ref_at_contact_idx', ['type', 'ref', 'at', 'contact_id']],
];

/** A SQLite handle as fast as it goes while still durable at each commit in WAL mode, on the leanest interactions. */
export function tuneSqlite(db: SQLite.Database): void {
  tuneSqliteConnection(db);
  leanSqlite(db);
}

/** The connection alone: WAL, a 1 GiB cache, an 8 GiB map, temporary b-trees in memory, no foreign key checks, no page scrubbing. */
export function tuneSqliteConnection(db: SQLite.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = OFF');
  db.pragma('secure_delete = OFF');
  db.pragma('cache_size = -1048576');
  db.pragma('mmap_size = 8589934592');
  db.pragma('temp_store = MEMORY');
}

function leanSqlite(db: SQLite.Database): void {
  const have = db
    .prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'interactions' and sql is not null`)
    .all() as {
    name: string;
  }[];
  const keep = new Set(LEAN_INTERACTION_INDEXES.map(([n]) => n));
  for (const { name } of have) if (!keep.has(name)) db.exec(`drop index "${name}"`);
  for (const [name, cols] of LEAN_INTERACTION_INDEXES) db.exec(`create index if not exists "${name}" on interactions (${cols.join(', ')})`);
  db.exec('analyze');
}

/** A table without its foreign keys (a key to a partitioned table has a copy per partition: the parent's goes, and they with it). */
export async function dropForeignKeys(client: pg.Client, table: string): Promise<void> {
  const fks = await client.query<{ name: string }>(
    `select conname as name from pg_constraint where conrelid = $1::regclass and contype = 'f' and conparentid = 0`,
    [table],
  );
  for (const { name } of fks.rows) await client.query(`alter table "${table}" drop constraint "${name}"`);
}

/** The same schema on PostgreSQL: only the lean indexes (besides the primary key) and no foreign keys on interactions. */
export async function leanPostgres(client: pg.Client): Promise<void> {
  await dropForeignKeys(client, 'interactions');
  const idx = await client.query<{ name: string }>(
    `select i.relname as name from pg_index x join pg_class i on i.oid = x.indexrelid
     where x.indrelid = 'interactions'::regclass and not x.indisprimary`,
  );
  const keep = new Set(LEAN_INTERACTION_INDEXES.map(([n]) => n));
  for (const { name } of idx.rows) if (!keep.has(name)) await client.query(`drop index "${name}"`);
  for (const [name, cols] of LEAN_INTERACTION_INDEXES)
    await client.query(`create index if not exists "${name}" on interactions (${cols.join(', ')})`);
  await client.query('analyze interactions');
}
