import { PostgresAdapter, sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from './connect.ts';

/** The PostgreSQL element type a list travels as: text (ids, addresses, dates) or numbers. */
export type ListType = 'text' | 'float8';

/** The dialect a Kysely handle (or a transaction of one) speaks. */
export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * `expr in (values)` with the whole list bound as ONE parameter: a JSON array read by
 * `json_each` on SQLite, a typed array on PostgreSQL. Kysely's `where(x, 'in', list)` binds one
 * variable per element, and a statement takes at most 32,766 (SQLite) or 65,535 (PostgreSQL):
 * a list whose size a caller decides (ids of a batch, addresses to erase, values of a segment
 * filter) fails past that. Here the statement is the same whatever the count. An empty list is
 * false, as `in ()` would be.
 */
export function inList(
  dialect: Dialect,
  expr: Expression<unknown>,
  values: readonly (string | number)[],
  type: ListType = 'text',
): RawBuilder<SqlBool> {
  if (values.length === 0) return sql<SqlBool>`(1 = 0)`;
  return dialect === 'postgres'
    ? sql<SqlBool>`(${expr} = any(cast(${values} as ${sql.raw(type)}[])))`
    : sql<SqlBool>`(${expr} in (select value from json_each(${JSON.stringify(values)})))`;
}
