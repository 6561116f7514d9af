import type { RawBuilder } from 'kysely';
import type { Db } from './connect.ts';

/**
 * Runs a statement that is executed very often under one name: on PostgreSQL as a named
 * prepared statement, which each pooled connection parses and plans once instead of per call
 * (node-postgres remembers per connection which names it prepared); elsewhere as usual. The
 * statement's text must not vary from call to call under the same name (arrays, not lists of
 * parameters). Not for a transaction's connection: pass the transaction's own Kysely instead.
 */
export async function executeNamed<R>(db: Db<any>, name: string, query: RawBuilder<R>): Promise<R[]> {
  if (!db.pool) return (await query.execute(db.kysely)).rows;
  const c = query.compile(db.kysely);
  return (await db.pool.query({ name, text: c.sql, values: c.parameters as unknown[] })).rows as R[];
}
