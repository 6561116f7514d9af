import { type RawBuilder, sql } from 'kysely';
import type { Dialect } from '../../../db/connect.ts';
import { inList } from '../../../db/in-list.ts';
import { liveColumns } from '../../../db/introspect.ts';
import { chunks } from '../../../lib/chunks.ts';
import type { Db } from '../../database.ts';
import { asciiLower, digitsInOrderPattern, likeEscape, PHONE_SEPARATORS, type SearchTerms } from './residue.model.ts';

/*
 * What the residue scan asks of a database, behind one interface: the statements both dialects
 * share are built here from each dialect's few words (how a value becomes text, how a row's
 * values join, how containment is tested), and each dialect's own file adds what only it does
 * (residue.sqlite.queries.ts: rowid parts, statements for reader processes, its own tables;
 * residue.postgres.queries.ts: one pre-filtered pass per table, COPY, the statistics). Every
 * statement reads the live catalogue's names (tables made at run time included), so they are
 * built as raw SQL with quoted identifiers; values are always parameters.
 */

export interface ScannedColumn {
  name: string;
  /** Its value as text needs a cast (PostgreSQL types other than text). */
  cast: boolean;
}

/** A column whose name says it holds contact ids, declared or not: `contact_id`, `…_contact_id`. */
export const namesContactIds = (column: string) => /(^|_)contact_id$/i.test(column);

/** Rows per text chunk handed to the matcher (SQLite). */
export const ROWS_PER_CHUNK = 20_000;

/** Arguments per concat_ws call: PostgreSQL takes at most 100, SQLite 127; a wider table nests them. */
const CONCAT_ARGS = 64;
/** Ids per statement: they travel as one parameter (equality) or as patterns (free text). */
const IDS_PER_STATEMENT = 500;

export abstract class ResidueQueries {
  abstract readonly dialect: Dialect;

  constructor(protected readonly db: Db) {}

  // ---------------------------------------------------------------- each dialect's words

  /** How a column of this declared type is scanned: not at all, as it is, or cast to text. */
  protected abstract columnKind(type: string): 'skip' | 'text' | 'cast';
  /** The value as text, whatever its declared type. */
  protected abstract asText(column: string): RawBuilder<unknown>;
  /** The control character that separates a row's values (no term holds it). */
  protected abstract readonly valueSeparator: RawBuilder<unknown>;
  /** A row's joined text, ready for comparison (PostgreSQL: under the "C" collation). */
  protected abstract rowCollated(text: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Case-insensitive (ASCII) containment of a folded term. */
  protected abstract containsText(value: RawBuilder<unknown>, term: string): RawBuilder<unknown>;
  /** Case-sensitive containment (a number's bare digits). */
  protected abstract holds(value: RawBuilder<unknown>, needle: string): RawBuilder<unknown>;
  /** Whether the value matches any of these (folded) LIKE patterns, in any ASCII case. */
  protected abstract likeAnyFolded(value: RawBuilder<unknown>, patterns: string[]): RawBuilder<unknown>;
  /** Patterns one `likeAnyFolded` statement takes. */
  protected abstract readonly patternsPerStatement: number;

  /** Streams a table's rows as text for a matcher in memory: whole rows per chunk, values joined by \x01. */
  abstract tableText(table: string, columns: ScannedColumn[], each: (chunk: string) => void): Promise<void>;

  // ---------------------------------------------------------------- shared

  /** The columns of every table in the live catalogue that can hold an identifier. */
  async scannedColumns(): Promise<Map<string, ScannedColumn[]>> {
    const out = new Map<string, ScannedColumn[]>();
    for (const c of await liveColumns(this.db)) {
      const kind = this.columnKind(c.type);
      if (kind === 'skip') continue;
      const list = out.get(c.table) ?? [];
      list.push({ name: c.column, cast: kind === 'cast' });
      out.set(c.table, list);
    }
    return out;
  }

  /** The live catalogue's columns, each with whether its value needs a cast to be compared as text. */
  async liveColumnTypes(): Promise<{ table: string; column: string; cast: boolean }[]> {
    return (await liveColumns(this.db)).map((c) => ({ table: c.table, column: c.column, cast: this.columnKind(c.type) !== 'text' }));
  }

  /** A row's scanned values as one text, separated by a control character no term holds. */
  protected rowText(columns: ScannedColumn[]): RawBuilder<unknown> {
    const join = (values: RawBuilder<unknown>[]): RawBuilder<unknown> =>
      values.length <= CONCAT_ARGS
        ? sql`concat_ws(${this.valueSeparator}, ${sql.join(values)})`
        : join(
            Array.from({ length: Math.ceil(values.length / CONCAT_ARGS) }, (_, i) =>
              join(values.slice(i * CONCAT_ARGS, (i + 1) * CONCAT_ARGS)),
            ),
          );
    return this.rowCollated(join(columns.map((c) => (c.cast ? sql`${sql.id(c.name)}::text` : sql`${sql.id(c.name)}`))));
  }

  protected withoutSeparators(value: RawBuilder<unknown>): RawBuilder<unknown> {
    let v = value;
    for (const c of PHONE_SEPARATORS) v = sql`replace(${v}, ${sql.lit(c)}, '')`;
    return v;
  }

  /**
   * The digits in order with anything between them (a cheap test most values fail at once), and
   * only then the exact test on the value with the separators removed.
   */
  private containsDigits(value: RawBuilder<unknown>, digits: string): RawBuilder<unknown> {
    const exact = this.holds(this.withoutSeparators(value), digits);
    return sql`(case when ${value} like ${digitsInOrderPattern(digits)} then ${exact} else false end)`;
  }

  /** True when the value contains any term (the whole expression is one SQL boolean). */
  protected matchExpr(value: RawBuilder<unknown>, terms: SearchTerms): RawBuilder<unknown> {
    const parts = [...terms.text.map((t) => this.containsText(value, t)), ...terms.digits.map((d) => this.containsDigits(value, d))];
    return sql`(${sql.join(parts, sql` or `)})`;
  }

  /**
   * Which of a table's columns hold any of the terms: one pass over the table for all its
   * columns, each column folded to one 0/1 flag, so no value ever leaves the database. Run on the
   * tables where a scan found something, to name the columns.
   */
  async columnsWithTerms(table: string, columns: ScannedColumn[], terms: SearchTerms): Promise<string[]> {
    if (columns.length === 0 || terms.text.length + terms.digits.length === 0) return [];
    const flags = columns.map(
      (c, i) => sql`max(case when ${this.matchExpr(this.asText(c.name), terms)} then 1 else 0 end) as ${sql.id(`c${i}`)}`,
    );
    const r = await sql<Record<string, number | null>>`select ${sql.join(flags)} from ${sql.table(table)}`.execute(this.db.kysely);
    const row = r.rows[0] ?? {};
    return columns.filter((_, i) => Number(row[`c${i}`]) === 1).map((c) => c.name);
  }

  /** Whether a column that holds contact ids holds one of these (compared whole, so its index serves). */
  async columnHoldsIds(table: string, column: string, cast: boolean, ids: string[]): Promise<boolean> {
    const value = cast ? this.asText(column) : sql.id(column);
    for (const part of chunks(ids, IDS_PER_STATEMENT)) {
      const where = inList(this.dialect, value, part);
      const r = await sql<{ one: number }>`select 1 as one from ${sql.table(table)} where ${where} limit 1`.execute(this.db.kysely);
      if (r.rows.length) return true;
    }
    return false;
  }

  /** Whether a free-text column quotes one of these ids anywhere, in any ASCII case. */
  async textHoldsIds(table: string, column: string, ids: string[]): Promise<boolean> {
    const value = this.asText(column);
    const patterns = ids.map((id) => `%${likeEscape(asciiLower(id))}%`);
    for (const part of chunks(patterns, this.patternsPerStatement)) {
      const where = this.likeAnyFolded(value, part);
      const r = await sql<{ one: number }>`select 1 as one from ${sql.table(table)} where ${where} limit 1`.execute(this.db.kysely);
      if (r.rows.length) return true;
    }
    return false;
  }
}
