import { type RawBuilder, sql } from 'kysely';
import { likeEscape, type SearchTerms } from './residue.model.ts';
import { ResidueQueries, ROWS_PER_CHUNK, type ScannedColumn } from './residue.queries.ts';
import type { Statement } from './residue.tasks.ts';

const PATTERNS_PER_STATEMENT = 100;

const inRange = (range?: { lo: number; hi: number }) => (range ? sql`where rowid between ${range.lo} and ${range.hi}` : sql``);

/**
 * SQLite's residue queries. Every column is scanned: any column can store text, whatever its
 * declared type. LIKE already ignores ASCII case and needs no lower-cased copy of every value.
 * The tables are read in rowid parts, as statements a reader process runs (residue.tasks.ts).
 */
export class SqliteResidueQueries extends ResidueQueries {
  readonly dialect = 'sqlite' as const;
  protected readonly valueSeparator = sql`char(1)`;
  protected readonly patternsPerStatement = PATTERNS_PER_STATEMENT;

  protected columnKind(): 'text' {
    return 'text';
  }

  protected asText(column: string): RawBuilder<unknown> {
    return sql`cast(${sql.id(column)} as text)`;
  }

  protected rowCollated(text: RawBuilder<unknown>): RawBuilder<unknown> {
    return text;
  }

  protected containsText(value: RawBuilder<unknown>, term: string): RawBuilder<unknown> {
    return sql`${value} like ${`%${likeEscape(term)}%`} escape '\\'`;
  }

  protected holds(value: RawBuilder<unknown>, needle: string): RawBuilder<unknown> {
    return sql`instr(${value}, ${needle}) > 0`;
  }

  protected likeAnyFolded(value: RawBuilder<unknown>, patterns: string[]): RawBuilder<unknown> {
    return sql.join(
      patterns.map((p) => sql`${value} like ${p} escape '\\'`),
      sql` or `,
    );
  }

  /** A table's rowid range, null for an empty table, undefined for a table without a usable rowid. */
  async rowidRange(table: string, columns: ScannedColumn[]): Promise<{ lo: number; hi: number } | null | undefined> {
    // A column named like the rowid shadows it; a WITHOUT ROWID table has none.
    if (columns.some((c) => ['rowid', 'oid', '_rowid_'].includes(c.name.toLowerCase()))) return undefined;
    try {
      // Each end on its own: SQLite reads min() or max() of the rowid off the b-tree's edge only
      // when it is the query's one aggregate; both in one query scan the whole table.
      const t = sql.table(table);
      const ends = sql`(select rowid from ${t} order by rowid limit 1) as lo, (select rowid from ${t} order by rowid desc limit 1) as hi`;
      const r = (await sql<{ lo: number | null; hi: number | null }>`select ${ends}`.execute(this.db.kysely)).rows[0];
      return r?.lo === null || r?.lo === undefined || r.hi === null ? null : { lo: Number(r.lo), hi: Number(r.hi) };
    } catch {
      return undefined;
    }
  }

  /**
   * Whether any row (of a rowid range) holds a term in any scanned column. One pass: each
   * row's values are joined into one text, built once per row in a subquery the planner keeps
   * (LIMIT), which LIKE tests for every term without folding; it stops at the first hit.
   */
  hasTermsStatement(table: string, columns: ScannedColumn[], terms: SearchTerms, range?: { lo: number; hi: number }): Statement {
    const q = sql`select 1 from (select ${this.rowText(columns)} as v from ${sql.table(table)} ${inRange(range)} limit -1) where
      ${this.matchExpr(sql.ref('v'), terms)} limit 1`.compile(this.db.kysely);
    return { sql: q.sql, parameters: q.parameters };
  }

  /** A rowid range's rows as one text for a matcher in memory (rows joined by \x02). */
  textStatement(table: string, columns: ScannedColumn[], range: { lo: number; hi: number }): Statement {
    const q = sql`select group_concat(${this.rowText(columns)}, char(2)) from ${sql.table(table)} ${inRange(range)}`.compile(
      this.db.kysely,
    );
    return { sql: q.sql, parameters: q.parameters };
  }

  /** Row by row, for a table without a rowid (those with one go through `textStatement`, which is faster). */
  async tableText(table: string, columns: ScannedColumn[], each: (chunk: string) => void): Promise<void> {
    if (columns.length === 0) return;
    const q = sql`select ${this.rowText(columns)} from ${sql.table(table)}`.compile(this.db.kysely);
    let parts: string[] = [];
    for (const v of this.db
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
  }

  /** SQLite's own tables (schema, statistics): read whole, they are small, and searched as bytes. */
  async systemRows(): Promise<{ table: string; column: string; value: Buffer }[]> {
    const raw = this.db.sqlite!;
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
}
