import { sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * Column types that mean the same on both databases. Migrations are frozen once landed and
 * never import application code, so this file may only grow.
 * - text compares in binary (C) order on both (SQLite's default BINARY; explicit on PostgreSQL,
 *   whatever the cluster's locale), so ordering and equality agree across dialects;
 * - timestamps are fixed-width ISO-8601 UTC text, which sorts chronologically as text;
 * - booleans are 0/1 integers (SQLite has no boolean and its driver cannot bind one);
 * - JSON documents are text; anything queried by SQL gets a real column instead.
 */
export interface Cols {
  text: 'text' | RawBuilder<unknown>;
  ts: 'text' | RawBuilder<unknown>;
  bool: 'integer';
  int: 'integer';
  bigint: 'integer' | 'bigint';
  json: 'text';
  dialect: 'sqlite' | 'postgres';
}

export function cols(db: Kysely<any>): Cols {
  const pgDialect = db.getExecutor().adapter.constructor.name.startsWith('Postgres');
  if (pgDialect) {
    return {
      text: sql`text collate "C"`,
      ts: sql`text collate "C"`,
      bool: 'integer',
      int: 'integer',
      bigint: 'bigint',
      json: 'text',
      dialect: 'postgres',
    };
  }
  return { text: 'text', ts: 'text', bool: 'integer', int: 'integer', bigint: 'integer', json: 'text', dialect: 'sqlite' };
}
