import { sql, type RawBuilder } from 'kysely';
import copyStreams from 'pg-copy-streams';
import type { Db } from '../../database.ts';
import { inList } from '../../../db/in-list.ts';
import { liveColumns } from '../../../db/introspect.ts';
import { asciiLower, caseFreePattern, digitsInOrderPattern, likeEscape, PHONE_SEPARATORS, type SearchTerms } from './residue.model.ts';
import type { Statement } from './residue.tasks.ts';

/*
 * Every statement here reads the live catalogue's names (tables made at run time included), so
 * they are built as raw SQL with quoted identifiers; values are always parameters.
 */

/**
 * PostgreSQL column types whose values can hold an identifier as text: character types, JSON
 * and XML, arrays and user-defined types (enums, domains, citext), and integers, which can hold
 * a phone number's digits. Dates, times, booleans, UUIDs, floats and binary data cannot.
 */
const PG_SCANNED = new Set([
  'text',
  'character varying',
  'character',
  'json',
  'jsonb',
  'xml',
  'ARRAY',
  'USER-DEFINED',
  'smallint',
  'integer',
  'bigint',
  'numeric',
]);
const PG_TEXT = new Set(['text', 'character varying', 'character']);

export interface ScannedColumn {
  name: string;
  /** Its value as text needs a cast (PostgreSQL types other than text). */
  cast: boolean;
}

/**
 * The columns of every table in the live catalogue that can hold an identifier. On SQLite that is
 * every column: any column can store text, whatever its declared type.
 */
export async function scannedColumns(db: Db): Promise<Map<string, ScannedColumn[]>> {
  const out = new Map<string, ScannedColumn[]>();
  for (const c of await liveColumns(db)) {
    if (db.dialect === 'postgres' && !PG_SCANNED.has(c.type)) continue;
    const list = out.get(c.table) ?? [];
    list.push({ name: c.column, cast: db.dialect === 'postgres' && !PG_TEXT.has(c.type) });
    out.set(c.table, list);
  }
  return out;
}

/** The value as text, whatever its declared type (SQLite stores any type in any column). */
function asText(db: Db, column: string): RawBuilder<unknown> {
  return db.dialect === 'sqlite' ? sql`cast(${sql.id(column)} as text)` : sql`(${sql.id(column)})::text collate "C"`;
}

/** Arguments per concat_ws call: PostgreSQL takes at most 100, SQLite 127; a wider table nests them. */
const CONCAT_ARGS = 64;

/** A row's scanned values as one text, separated by a control character no term holds. */
function rowText(db: Db, columns: ScannedColumn[]): RawBuilder<unknown> {
  const sep = db.dialect === 'sqlite' ? sql`char(1)` : sql`chr(1)`;
  const join = (values: RawBuilder<unknown>[]): RawBuilder<unknown> =>
    values.length <= CONCAT_ARGS
      ? sql`concat_ws(${sep}, ${sql.join(values)})`
      : join(
          Array.from({ length: Math.ceil(values.length / CONCAT_ARGS) }, (_, i) =>
            join(values.slice(i * CONCAT_ARGS, (i + 1) * CONCAT_ARGS)),
          ),
        );
  const values = columns.map((c) => (c.cast ? sql`${sql.id(c.name)}::text` : sql`${sql.id(c.name)}`));
  return db.dialect === 'sqlite' ? join(values) : sql`(${join(values)} collate "C")`;
}

function withoutSeparators(value: RawBuilder<unknown>): RawBuilder<unknown> {
  let v = value;
  for (const c of PHONE_SEPARATORS) v = sql`replace(${v}, ${sql.lit(c)}, '')`;
  return v;
}

/**
 * Case-insensitive (ASCII) containment. SQLite's LIKE already ignores ASCII case and needs no
 * lower-cased copy of every value; PostgreSQL's lower() under "C" folds the same letters.
 */
function containsText(db: Db, value: RawBuilder<unknown>, term: string): RawBuilder<unknown> {
  return db.dialect === 'sqlite' ? sql`${value} like ${`%${likeEscape(term)}%`} escape '\\'` : sql`strpos(lower(${value}), ${term}) > 0`;
}

/**
 * The digits in order with anything between them (a cheap test most values fail at once), and
 * only then the exact test on the value with the separators removed.
 */
function containsDigits(db: Db, value: RawBuilder<unknown>, digits: string): RawBuilder<unknown> {
  const exact =
    db.dialect === 'sqlite'
      ? sql`instr(${withoutSeparators(value)}, ${digits}) > 0`
      : sql`strpos(${withoutSeparators(value)}, ${digits}) > 0`;
  return sql`(case when ${value} like ${digitsInOrderPattern(digits)} then ${exact} else false end)`;
}

/** True when the value contains any term (the whole expression is one SQL boolean). */
function matchExpr(db: Db, value: RawBuilder<unknown>, terms: SearchTerms): RawBuilder<unknown> {
  const parts = [...terms.text.map((t) => containsText(db, value, t)), ...terms.digits.map((d) => containsDigits(db, value, d))];
  return sql`(${sql.join(parts, sql` or `)})`;
}

/** A table's rowid range, null for an empty table, undefined for a table without a usable rowid. */
export async function rowidRange(db: Db, table: string, columns: ScannedColumn[]): Promise<{ lo: number; hi: number } | null | undefined> {
  // A column named like the rowid shadows it; a WITHOUT ROWID table has none.
  if (columns.some((c) => ['rowid', 'oid', '_rowid_'].includes(c.name.toLowerCase()))) return undefined;
  try {
    // Each end on its own: SQLite reads min() or max() of the rowid off the b-tree's edge only
    // when it is the query's one aggregate; both in one query scan the whole table.
    const t = sql.table(table);
    const r = (
      await sql<{
        lo: number | null;
        hi: number | null;
      }>`select (select rowid from ${t} order by rowid limit 1) as lo, (select rowid from ${t} order by rowid desc limit 1) as hi`.execute(
        db.kysely,
      )
    ).rows[0];
    return r?.lo === null || r?.lo === undefined || r.hi === null ? null : { lo: Number(r.lo), hi: Number(r.hi) };
  } catch {
    return undefined;
  }
}

const inRange = (range?: { lo: number; hi: number }) => (range ? sql`where rowid between ${range.lo} and ${range.hi}` : sql``);

/**
 * SQLite: whether any row (of a rowid range) holds a term in any scanned column. One pass: each
 * row's values are joined into one text, built once per row in a subquery the planner keeps
 * (LIMIT), which LIKE tests for every term without folding; it stops at the first hit.
 */
export function hasTermsStatement(
  db: Db,
  table: string,
  columns: ScannedColumn[],
  terms: SearchTerms,
  range?: { lo: number; hi: number },
): Statement {
  const q = sql`select 1 from (select ${rowText(db, columns)} as v from ${sql.table(table)} ${inRange(range)} limit -1) where
      ${matchExpr(db, sql.ref('v'), terms)} limit 1`.compile(db.kysely);
  return { sql: q.sql, parameters: q.parameters };
}

/** SQLite: a rowid range's rows as one text for a matcher in memory (rows joined by \x02). */
export function textStatement(db: Db, table: string, columns: ScannedColumn[], range: { lo: number; hi: number }): Statement {
  const q = sql`select group_concat(${rowText(db, columns)}, char(2)) from ${sql.table(table)} ${inRange(range)}`.compile(db.kysely);
  return { sql: q.sql, parameters: q.parameters };
}

/**
 * PostgreSQL: whether any row holds a term in any scanned column. Each row's values are joined
 * and tested case-sensitively against patterns every hit matches, all in one `like any`
 * (`caseFreePattern`; a phone's digits in order, anything between); only the rows that pass are
 * folded and tested exactly. Counting rather than stopping at the first row keeps the parallel
 * plan a LIMIT would lose.
 */
export async function tableHasTerms(db: Db, table: string, columns: ScannedColumn[], terms: SearchTerms): Promise<boolean> {
  if (columns.length === 0 || terms.text.length + terms.digits.length === 0) return false;
  const text = rowText(db, columns);
  const textPatterns = terms.text.map((t) => `%${likeEscape(t)}%`);
  const exact = [
    ...(terms.text.length ? [sql`lower(${text}) like any(${textPatterns}::text[])`] : []),
    ...(terms.digits.length ? [sql`${withoutSeparators(text)} like any(${terms.digits.map((d) => `%${d}%`)}::text[])`] : []),
  ];
  const pre = [...terms.text.map(caseFreePattern), ...terms.digits.map(digitsInOrderPattern)];
  const r = await sql<{
    n: number;
  }>`select count(*) as n from ${sql.table(table)} where case when ${text} like any(${pre}::text[]) then
    (${sql.join(exact, sql` or `)}) else false end`.execute(db.kysely);
  return Number(r.rows[0]?.n ?? 0) > 0;
}

/**
 * Which of a table's columns hold any of the terms: one pass over the table for all its
 * columns, each column folded to one 0/1 flag, so no value ever leaves the database. Run on the
 * tables where a scan found something, to name the columns.
 */
export async function columnsWithTerms(db: Db, table: string, columns: ScannedColumn[], terms: SearchTerms): Promise<string[]> {
  if (columns.length === 0 || terms.text.length + terms.digits.length === 0) return [];
  const flags = columns.map(
    (c, i) => sql`max(case when ${matchExpr(db, asText(db, c.name), terms)} then 1 else 0 end) as ${sql.id(`c${i}`)}`,
  );
  const r = await sql<Record<string, number | null>>`select ${sql.join(flags)} from ${sql.table(table)}`.execute(db.kysely);
  const row = r.rows[0] ?? {};
  return columns.filter((_, i) => Number(row[`c${i}`]) === 1).map((c) => c.name);
}

/** Rows per text chunk handed to the matcher (SQLite), and bytes per chunk (PostgreSQL). */
export const ROWS_PER_CHUNK = 20_000;
const PG_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Streams the table's rows as text for a matcher in memory (a scan for more terms than one
 * statement can test): each row's scanned values joined by \x01, rows by \x02 or a line break,
 * whole rows per chunk. PostgreSQL sends them with COPY; SQLite reads them row by row (tables
 * with a rowid go through `textStatement` instead, which is faster). The text lives in memory
 * only while `each` looks at it.
 */
export async function tableText(db: Db, table: string, columns: ScannedColumn[], each: (chunk: string) => void): Promise<void> {
  if (columns.length === 0) return;
  const text = rowText(db, columns);
  if (db.dialect === 'sqlite') {
    const q = sql`select ${text} from ${sql.table(table)}`.compile(db.kysely);
    let parts: string[] = [];
    for (const v of db
      .sqlite!.prepare(q.sql)
      .pluck()
      .iterate(...(q.parameters as unknown[])) as Iterable<string>) {
      parts.push(v);
      if (parts.length >= ROWS_PER_CHUNK) {
        each(parts.join('\u0002'));
        parts = [];
      }
    }
    if (parts.length) each(parts.join('\u0002'));
    return;
  }
  const select = sql`select ${text} from ${sql.table(table)}`.compile(db.kysely);
  const client = await db.pool!.connect();
  try {
    const stream = client.query(copyStreams.to(`copy (${select.sql}) to stdout`));
    let carry = Buffer.alloc(0);
    let pending: Buffer[] = [];
    let size = 0;
    const flush = (final: boolean) => {
      const buf = Buffer.concat([carry, ...pending]);
      pending = [];
      size = 0;
      // A line break ends a row and never occurs inside a UTF-8 sequence, so cutting there is safe.
      const cut = final ? buf.length : buf.lastIndexOf(10) + 1;
      carry = buf.subarray(cut);
      if (cut > 0) each(copyUnescape(buf.toString('utf8', 0, cut)));
    };
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= PG_CHUNK_BYTES) flush(false);
    }
    flush(true);
  } finally {
    client.release();
  }
}

/** COPY's text format escapes backslashes and control characters in values; undo it before matching. */
function copyUnescape(s: string): string {
  if (!s.includes('\\')) return s;
  const map: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
  return s.replace(/\\([bfnrtv\\])/g, (_m, c: string) => map[c]!);
}

/** SQLite's own tables (schema, statistics): read whole, they are small, and searched as bytes. */
export async function sqliteSystemRows(db: Db): Promise<{ table: string; column: string; value: Buffer }[]> {
  const raw = db.sqlite!;
  const tables = raw
    .prepare(`select name from sqlite_master where type = 'table' and name like 'sqlite\\_%' escape '\\'`)
    .pluck()
    .all() as string[];
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
 * PostgreSQL keeps sample values of analysed columns (most common values, histogram bounds) in
 * its statistics; a person's address can be one of them. They are few (at most a few hundred
 * values per column), so they are read and matched in memory.
 */
export async function pgStatsValues(db: Db): Promise<{ table: string; column: string; values: string }[]> {
  const r = await sql<{ table: string; column: string; mcv: string | null; hist: string | null }>`
    select tablename as "table", attname as "column", most_common_vals::text as mcv, histogram_bounds::text as hist from pg_stats
    where schemaname = current_schema()`.execute(db.kysely);
  return r.rows.map((x) => ({ table: x.table, column: x.column, values: `${x.mcv ?? ''}\u0001${x.hist ?? ''}` }));
}

// ------------------------------------------------------------------ erased contact ids

/** A column whose name says it holds contact ids, declared or not: `contact_id`, `…_contact_id`. */
export const namesContactIds = (column: string) => /(^|_)contact_id$/i.test(column);

/** Ids per statement: they travel as one parameter (equality) or as patterns (free text). */
const IDS_PER_STATEMENT = 500;
const PATTERNS_PER_SQLITE_STATEMENT = 100;

/** Whether a column that holds contact ids holds one of these (compared whole, so its index serves). */
export async function columnHoldsIds(db: Db, table: string, column: string, cast: boolean, ids: string[]): Promise<boolean> {
  const value = cast ? asText(db, column) : sql.id(column);
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const r = await sql<{
      one: number;
    }>`select 1 as one from ${sql.table(table)} where ${inList(db.dialect, value, ids.slice(i, i + IDS_PER_STATEMENT))} limit 1`.execute(
      db.kysely,
    );
    if (r.rows.length) return true;
  }
  return false;
}

/** Whether a free-text column quotes one of these ids anywhere, in any ASCII case. */
export async function textHoldsIds(db: Db, table: string, column: string, ids: string[]): Promise<boolean> {
  const value = asText(db, column);
  const patterns = ids.map((id) => `%${likeEscape(asciiLower(id))}%`);
  const step = db.dialect === 'sqlite' ? PATTERNS_PER_SQLITE_STATEMENT : IDS_PER_STATEMENT;
  for (let i = 0; i < patterns.length; i += step) {
    const part = patterns.slice(i, i + step);
    const where =
      db.dialect === 'sqlite'
        ? sql.join(
            part.map((p) => sql`${value} like ${p} escape '\\'`),
            sql` or `,
          )
        : sql`lower(${value}) like any(${part}::text[])`;
    const r = await sql<{ one: number }>`select 1 as one from ${sql.table(table)} where ${where} limit 1`.execute(db.kysely);
    if (r.rows.length) return true;
  }
  return false;
}

/** The live catalogue's columns, each with whether its value needs a cast to be compared as text. */
export async function liveColumnTypes(db: Db): Promise<{ table: string; column: string; cast: boolean }[]> {
  return (await liveColumns(db)).map((c) => ({
    table: c.table,
    column: c.column,
    cast: db.dialect === 'postgres' && !PG_TEXT.has(c.type),
  }));
}
