import { sql, type Kysely } from 'kysely';
import { chunks } from '../lib/chunks.ts';
import { emailKey, isAsciiKey } from '../lib/email.ts';

const CHUNK = 1000;

/**
 * The addresses, as written in `table.column`, whose match key (emailKey) is one of `keys`:
 * what a table linked to a person by address holds of them, whatever the case it was typed
 * in. SQL's lower() folds ASCII alone on both databases (SQLite's built-in, PostgreSQL's under
 * the "C" collation), which is exact for an ASCII key: a composed (NFC) address whose key is
 * ASCII is ASCII itself. A key with other letters is looked for among the addresses of its
 * domain (stored lower-cased) and compared by the key function. Table and column names come
 * from the data map, never from a request.
 */
export async function writtenForms(db: Kysely<any>, table: string, column: string, keys: string[]): Promise<string[]> {
  const wanted = new Set(keys);
  const ascii = [...wanted].filter(isAsciiKey);
  const domains = [...new Set([...wanted].filter((k) => !isAsciiKey(k)).map((k) => k.slice(k.lastIndexOf('@') + 1)))];
  const found = new Set<string>();
  const col = sql.ref(column);
  for (const part of chunks(ascii, CHUNK)) {
    const r = await sql<{
      v: string;
    }>`select distinct ${col} as v from ${sql.table(table)} where lower(${col}) in (${sql.join(part)})`.execute(db);
    for (const { v } of r.rows) found.add(v);
  }
  for (const d of domains) {
    const pattern = `%@${d.replace(/[\\%_]/g, (m) => `\\${m}`)}`;
    const r = await sql<{
      v: string;
    }>`select distinct ${col} as v from ${sql.table(table)} where ${col} like ${pattern} escape '\\'`.execute(db);
    for (const { v } of r.rows) found.add(v);
  }
  return [...found].filter((v) => typeof v === 'string' && wanted.has(emailKey(v)));
}
