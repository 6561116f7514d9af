import { sql } from 'kysely';
import type { Db } from './connect.ts';

export interface LiveColumn {
  table: string;
  column: string;
  type: string;
}

/**
 * The columns that really exist, read from the database's own catalogue rather than from
 * anything the app declares: the data-map check and the residue scan must see tables the
 * code does not know about.
 */
export async function liveColumns(db: Db<any>): Promise<LiveColumn[]> {
  if (db.dialect === 'sqlite') {
    const r = await sql<{ table: string; column: string; type: string }>`
      select m.name as "table", p.name as "column", lower(p.type) as "type"
      from sqlite_master m, pragma_table_info(m.name) p
      where m.type = 'table' and m.name not like 'sqlite\\_%' escape '\\'
      order by m.name, p.cid`.execute(db.kysely);
    return r.rows;
  }
  // A partition is part of its table (PostgreSQL lists both as base tables): its rows are read,
  // and its columns declared, through the partitioned table alone.
  const r = await sql<{ table: string; column: string; type: string }>`
    select c.table_name as "table", c.column_name as "column", c.data_type as "type"
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    join pg_class k on k.relname = c.table_name and k.relnamespace = c.table_schema::regnamespace
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and not k.relispartition
    order by c.table_name, c.ordinal_position`.execute(db.kysely);
  return r.rows;
}

/**
 * Which of `names` the database already uses for a table, index, view or type (on PostgreSQL a
 * table also makes a type of its name) in the schema run-time DDL writes to. Compared without
 * case: SQLite's names ignore it, and a name differing only in case would confuse people anyway.
 */
export async function namesInUse(db: Db<any>, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const lower = names.map((n) => n.toLowerCase());
  const r =
    db.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where lower(name) in (${sql.join(lower)})`.execute(db.kysely)
      : await sql<{ name: string }>`
          select c.relname as name from pg_class c where c.relnamespace = current_schema()::regnamespace and
            lower(c.relname) in (${sql.join(lower)})
          union
          select t.typname from pg_type t where t.typnamespace = current_schema()::regnamespace and lower(t.typname) in
            (${sql.join(lower)})`.execute(db.kysely);
  return [...new Set(r.rows.map((x) => x.name))].sort();
}
