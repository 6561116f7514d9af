import { sql, type Kysely } from 'kysely';

/*
 * PostgreSQL keeps a deleted or updated row's old bytes in its table's and indexes' files until
 * the relation is rewritten (VACUUM FULL); a plain VACUUM frees the space without overwriting
 * it. Tables about a person are therefore hash-partitioned by contact id (migration 0011), so
 * that erasing someone rewrites only the partitions that held them, not whole tables. SQLite
 * tables are not partitioned: secure_delete and a checkpoint reach its bytes.
 *
 * A partition is named `<table>$p<remainder>`: `$` can appear in no table name the product makes
 * (entity names are [a-z0-9_]), so a partition never takes another table's name.
 */
const PARTITION_MARK = '$p';

function partitionName(table: string, remainder: number): string {
  return `${table}${PARTITION_MARK}${String(remainder).padStart(2, '0')}`;
}

/** The modulus the person tables were partitioned with (migration 0011); 0 when they are not (SQLite, or before it). */
export async function personModulus(db: Kysely<any>): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from pg_inherits i join pg_class p on p.oid = i.inhparent where p.relname = 'contacts' and
    p.relnamespace = current_schema()::regnamespace`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** Creates `modulus` hash partitions of a table created with `partition by hash (...)`. */
export async function createHashPartitions(db: Kysely<any>, table: string, modulus: number): Promise<void> {
  for (let r = 0; r < modulus; r++) {
    await sql`create table ${sql.id(partitionName(table, r))} partition of ${sql.id(table)} for values with (modulus ${sql.lit(modulus)},
      remainder ${sql.lit(r)})`.execute(db);
  }
}

/** A hash-partitioned table of the current schema: its partition key column and its partitions' bounds. */
export interface PartitionedTable {
  table: string;
  key: string;
  partitions: { name: string; modulus: number; remainder: number }[];
}

export async function partitionedTables(db: Kysely<any>): Promise<PartitionedTable[]> {
  const r = await sql<{ parent: string; key: string; part: string; bound: string }>`
    select p.relname as parent, a.attname as key, c.relname as part, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_partitioned_table pt
    join pg_class p on p.oid = pt.partrelid
    join pg_attribute a on a.attrelid = p.oid and a.attnum = pt.partattrs[0]
    join pg_inherits i on i.inhparent = p.oid
    join pg_class c on c.oid = i.inhrelid
    where pt.partstrat = 'h' and p.relnamespace = current_schema()::regnamespace
    order by p.relname, c.relname`.execute(db);
  const out = new Map<string, PartitionedTable>();
  for (const row of r.rows) {
    const m = /modulus (\d+), remainder (\d+)/.exec(row.bound);
    if (!m) continue;
    const t = out.get(row.parent) ?? { table: row.parent, key: row.key, partitions: [] };
    t.partitions.push({ name: row.part, modulus: Number(m[1]), remainder: Number(m[2]) });
    out.set(row.parent, t);
  }
  return [...out.values()];
}

/**
 * The partitions of `table` that the given key values hash to, as PostgreSQL routes rows
 * (satisfies_hash_partition): where a person's rows live, or lived, whether or not any row is
 * there now. Values are compared as text.
 */
export async function partitionsOf(db: Kysely<any>, table: PartitionedTable, values: string[]): Promise<string[]> {
  if (values.length === 0 || table.partitions.length === 0) return [];
  const names = table.partitions.map((p) => p.name);
  const r = await sql<{ name: string }>`
    select distinct p.name from unnest(${names}::text[], ${table.partitions.map((p) => p.modulus)}::int[],
      ${table.partitions.map((p) => p.remainder)}::int[]) as p(name, modulus, remainder)
    cross join unnest(${values}::text[]) as v(value)
    where satisfies_hash_partition(${table.table}::regclass, p.modulus, p.remainder, v.value)`.execute(db);
  return r.rows.map((x) => x.name).sort();
}
