import { sql, type Kysely } from 'kysely';

/*
 * PostgreSQL only (SQLite is unchanged: same queries, one code path). A row that is deleted or
 * updated leaves its old bytes in its table's and indexes' files until the relation is
 * rewritten (VACUUM FULL); a plain VACUUM frees the space and overwrites nothing. Erasing a
 * person must get their bytes out, and rewriting whole tables of millions of rows for each
 * erasure is not bounded. So the tables about a person are hash-partitioned by the person's key
 * (MODULUS partitions each): an erasure rewrites only the partitions that held the person. It
 * also prepares distribution by contact id.
 *
 *   contacts (id), contact_emails (email_key), interactions, consent_ledger, list_members,
 *   segment_members and every linked custom entity table (contact_id).
 *
 * Each is rebuilt: a partitioned copy made LIKE the table (so every column the catalogue has,
 * whatever later migrations and custom fields added, with its type, collation, default and NOT
 * NULL), its rows copied, the old table dropped and the copy renamed; then its indexes and
 * constraints recreated from their catalogue definitions, and the foreign keys of and to it.
 * A partitioned table's primary key and unique indexes must contain its partition key:
 * - kept as they are where they do (contacts, contact_emails, list_members, segment_members);
 * - extended by the key where it cannot be null (interactions: primary key (id, contact_id));
 * - made plain indexes where the key can be null: the ledger's id and seq (an erased entry's
 *   stub loses its contact id), a custom entity's id (an anonymised record loses its link).
 *   Ids are made by the app (time-ordered random ids), and the ledger's appends are serialised
 *   by the lock on its head row, which is what kept seq unique in the first place.
 * Partitions are named `<table>$p<remainder>` (no table name the product makes has a `$`).
 */

/** src/db/partitions.ts's modulus as this migration landed. */
const MODULUS = 16;

const FIXED: [table: string, key: string][] = [
  ['contacts', 'id'],
  ['contact_emails', 'email_key'],
  ['interactions', 'contact_id'],
  ['consent_ledger', 'contact_id'],
  ['list_members', 'contact_id'],
  ['segment_members', 'contact_id'],
];

const part = (table: string, r: number) => `${table}$p${String(r).padStart(2, '0')}`;

export async function up(db: Kysely<any>): Promise<void> {
  if (!db.getExecutor().adapter.constructor.name.startsWith('Postgres')) return;
  const entities = (
    await sql<{ table_name: string }>`select table_name from custom_entities where linked = 1 order by table_name`.execute(db)
  ).rows.map((r) => [r.table_name, 'contact_id'] as [string, string]);
  const tables = [...FIXED, ...entities];
  const names = tables.map(([t]) => t);

  // Foreign keys of and to these tables go first and come back last, once every table is rebuilt.
  const fks = (
    await sql<{ name: string; owner: string; def: string }>`
      select con.conname as name, rel.relname as owner, pg_get_constraintdef(con.oid) as def
      from pg_constraint con join pg_class rel on rel.oid = con.conrelid join pg_class ref on ref.oid = con.confrelid
      where con.contype = 'f' and rel.relnamespace = current_schema()::regnamespace and (rel.relname = any(${names}::text[])
        or ref.relname = any(${names}::text[]))
      order by rel.relname, con.conname`.execute(db)
  ).rows;
  for (const fk of fks) await sql`alter table ${sql.id(fk.owner)} drop constraint ${sql.id(fk.name)}`.execute(db);

  for (const [table, key] of tables) await partition(db, table, key);

  for (const fk of fks) await sql`alter table ${sql.id(fk.owner)} add constraint ${sql.id(fk.name)} ${sql.raw(fk.def)}`.execute(db);
}

async function partition(db: Kysely<any>, table: string, key: string): Promise<void> {
  const keyNullable = (
    await sql<{
      nullable: boolean;
    }>`select not attnotnull as nullable from pg_attribute where attrelid = ${table}::regclass and attname = ${key}`.execute(db)
  ).rows[0]?.nullable;
  if (keyNullable === undefined) throw new Error(`${table} has no column ${key}`);
  // Primary keys and unique constraints, with their columns; then the other indexes.
  const constraints = (
    await sql<{ name: string; kind: string; columns: string[] }>`
      select con.conname as name, con.contype as kind, array(select a.attname::text from unnest(con.conkey) with ordinality
        k(n, o) join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o) as columns
      from pg_constraint con where con.conrelid = ${table}::regclass and con.contype in ('p', 'u') order by con.conname`.execute(db)
  ).rows;
  const indexes = (
    await sql<{ name: string; def: string; isUnique: boolean }>`
      select c.relname as name, pg_get_indexdef(i.indexrelid) as def, i.indisunique as "isUnique"
      from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = ${table}::regclass and not exists (select 1 from pg_constraint con where con.conindid = i.indexrelid
        and con.conrelid = i.indrelid)
      order by c.relname`.execute(db)
  ).rows;

  const next = `${table}$next`;
  await sql`create table ${sql.id(next)} (like ${sql.id(table)} including defaults including generated including storage including
    constraints) partition by hash (${sql.id(key)})`.execute(db);
  for (let r = 0; r < MODULUS; r++)
    await sql`create table ${sql.id(part(table, r))} partition of ${sql.id(next)} for values with (modulus ${sql.lit(MODULUS)}, remainder
      ${sql.lit(r)})`.execute(db);
  await sql`insert into ${sql.id(next)} select * from ${sql.id(table)}`.execute(db);
  await sql`drop table ${sql.id(table)}`.execute(db);
  await sql`alter table ${sql.id(next)} rename to ${sql.id(table)}`.execute(db);

  for (const c of constraints) {
    const cols = sql.join(c.columns.map((x) => sql.id(x)));
    if (c.columns.includes(key)) {
      await sql`alter table ${sql.id(table)} add constraint ${sql.id(c.name)} ${sql.raw(c.kind === 'p' ? 'primary key' : 'unique')}
        (${cols})`.execute(db);
    } else if (c.kind === 'p' && !keyNullable) {
      await sql`alter table ${sql.id(table)} add constraint ${sql.id(c.name)} primary key (${cols}, ${sql.id(key)})`.execute(db);
    } else {
      await sql`create index ${sql.id(c.name)} on ${sql.id(table)} (${cols})`.execute(db);
    }
  }
  for (const ix of indexes) {
    // A unique index without the partition key cannot exist on a partitioned table: it stays an index.
    const def =
      ix.isUnique && !new RegExp(`\\(.*\\b${key}\\b.*\\)`).test(ix.def) ? ix.def.replace(/^CREATE UNIQUE INDEX/i, 'CREATE INDEX') : ix.def;
    // The definition names the table the index was on, which now is the partitioned one of the same name.
    await sql.raw(def).execute(db);
  }
}

export async function down(): Promise<void> {
  // Partitioned tables stay partitioned: their queries are the same either way.
}
