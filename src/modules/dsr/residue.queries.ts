import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { PHONE_SEPARATORS, type SearchTerms } from './residue.model.ts';

/** The value as text, whatever its declared type (SQLite stores any type in any column). */
function asText(db: Db, column: string): RawBuilder<unknown> {
  return db.dialect === 'sqlite' ? sql`cast(${sql.id(column)} as text)` : sql`(${sql.id(column)})::text collate "C"`;
}

const likeEscape = (t: string) => t.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Case-insensitive (ASCII) containment. SQLite's LIKE already ignores ASCII case and needs no
 * lower-cased copy of every value; PostgreSQL's lower() under "C" folds the same letters.
 */
function containsText(db: Db, value: RawBuilder<unknown>, term: string): RawBuilder<unknown> {
  return db.dialect === 'sqlite' ? sql`${value} like ${`%${likeEscape(term)}%`} escape '\\'` : sql`strpos(lower(${value}), ${term}) > 0`;
}

function withoutSeparators(value: RawBuilder<unknown>): RawBuilder<unknown> {
  let v = value;
  for (const c of PHONE_SEPARATORS) v = sql`replace(${v}, ${sql.lit(c)}, '')`;
  return v;
}

/**
 * The digits in order with anything between them (a cheap test most values fail at once), and
 * only then the exact test on the value with the separators removed.
 */
function containsDigits(db: Db, value: RawBuilder<unknown>, digits: string): RawBuilder<unknown> {
  const exact = db.dialect === 'sqlite' ? sql`instr(${withoutSeparators(value)}, ${digits}) > 0` : sql`strpos(${withoutSeparators(value)}, ${digits}) > 0`;
  return sql`(case when ${value} like ${`%${digits.split('').join('%')}%`} then ${exact} else false end)`;
}

/** True when the column's value contains any term (the whole expression is one SQL boolean). */
function matchExpr(db: Db, column: string, terms: SearchTerms): RawBuilder<unknown> {
  const text = asText(db, column);
  const parts = [...terms.text.map((t) => containsText(db, text, t)), ...terms.digits.map((d) => containsDigits(db, text, d))];
  return sql`(${sql.join(parts, sql` or `)})`;
}

/**
 * Which of a table's columns hold any of the terms: one pass over the table for all its
 * columns, each column folded to one 0/1 flag, so no value ever leaves the database.
 */
export async function columnsWithTerms(db: Db, table: string, columns: string[], terms: SearchTerms): Promise<string[]> {
  if (columns.length === 0 || terms.text.length + terms.digits.length === 0) return [];
  const flags = columns.map((c, i) => sql`max(case when ${matchExpr(db, c, terms)} then 1 else 0 end) as ${sql.id(`c${i}`)}`);
  const r = await sql<Record<string, number | null>>`select ${sql.join(flags)} from ${sql.table(table)}`.execute(db.kysely);
  const row = r.rows[0] ?? {};
  return columns.filter((_, i) => Number(row[`c${i}`]) === 1);
}

/** SQLite's own tables (schema, statistics): read whole, they are small, and searched as bytes. */
export async function sqliteSystemRows(db: Db): Promise<{ table: string; column: string; value: Buffer }[]> {
  const raw = db.sqlite!;
  const tables = raw.prepare(`select name from sqlite_master where type = 'table' and name like 'sqlite\\_%' escape '\\'`).pluck().all() as string[];
  const out: { table: string; column: string; value: Buffer }[] = [];
  for (const t of ['sqlite_master', ...tables]) {
    for (const row of raw.prepare(`select * from "${t.replace(/"/g, '""')}"`).iterate() as Iterable<Record<string, unknown>>) {
      for (const [column, v] of Object.entries(row)) {
        if (v === null || v === undefined) continue;
        out.push({ table: t, column, value: Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8') });
      }
    }
  }
  return out;
}

/**
 * PostgreSQL keeps sample values of analysed columns (most common values, histogram bounds)
 * in its statistics; a person's address can be one of them.
 */
export async function pgStatsWithTerms(db: Db, terms: SearchTerms): Promise<{ table: string; column: string }[]> {
  if (terms.text.length + terms.digits.length === 0) return [];
  const cols = ['most_common_vals', 'histogram_bounds'].map((c) => matchExpr(db, c, terms));
  const r = await sql<{ table: string; column: string }>`
    select tablename as "table", attname as "column" from pg_stats
    where schemaname = current_schema() and (${sql.join(cols, sql` or `)})
    order by 1, 2`.execute(db.kysely);
  return r.rows;
}
