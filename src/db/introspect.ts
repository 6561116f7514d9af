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
export async function liveColumns(db: Db): Promise<LiveColumn[]> {
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
