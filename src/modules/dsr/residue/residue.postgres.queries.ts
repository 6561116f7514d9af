import { type RawBuilder, sql } from 'kysely';
import copyStreams from 'pg-copy-streams';
import { caseFreePattern, digitsInOrderPattern, likeEscape, type SearchTerms } from './residue.model.ts';
import { ResidueQueries, type ScannedColumn } from './residue.queries.ts';

/**
 * PostgreSQL column types whose values can hold an identifier as text: character types, JSON
 * and XML, arrays and user-defined types (enums, domains, citext), and integers, which can hold
 * a phone number's digits. Dates, times, booleans, UUIDs, floats and binary data cannot.
 */
const SCANNED = new Set([
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
const TEXT = new Set(['text', 'character varying', 'character']);

/** Bytes per chunk of COPY's output handed to the matcher. */
const CHUNK_BYTES = 4 * 1024 * 1024;
const PATTERNS_PER_STATEMENT = 500;

/**
 * PostgreSQL's residue queries. Values are compared under the "C" collation, where lower()
 * folds ASCII alone, as the terms are folded; a table is tested in one pre-filtered pass.
 */
export class PostgresResidueQueries extends ResidueQueries {
  readonly dialect = 'postgres' as const;
  protected readonly valueSeparator = sql`chr(1)`;
  protected readonly patternsPerStatement = PATTERNS_PER_STATEMENT;

  protected columnKind(type: string): 'skip' | 'text' | 'cast' {
    return TEXT.has(type) ? 'text' : SCANNED.has(type) ? 'cast' : 'skip';
  }

  protected asText(column: string): RawBuilder<unknown> {
    return sql`(${sql.id(column)})::text collate "C"`;
  }

  protected rowCollated(text: RawBuilder<unknown>): RawBuilder<unknown> {
    return sql`(${text} collate "C")`;
  }

  protected containsText(value: RawBuilder<unknown>, term: string): RawBuilder<unknown> {
    return sql`strpos(lower(${value}), ${term}) > 0`;
  }

  protected holds(value: RawBuilder<unknown>, needle: string): RawBuilder<unknown> {
    return sql`strpos(${value}, ${needle}) > 0`;
  }

  protected likeAnyFolded(value: RawBuilder<unknown>, patterns: string[]): RawBuilder<unknown> {
    return sql`lower(${value}) like any(${patterns}::text[])`;
  }

  /**
   * Whether any row holds a term in any scanned column. Each row's values are joined and tested
   * case-sensitively against patterns every hit matches, all in one `like any`
   * (`caseFreePattern`; a phone's digits in order, anything between); only the rows that pass are
   * folded and tested exactly. Counting rather than stopping at the first row keeps the parallel
   * plan a LIMIT would lose.
   */
  async tableHasTerms(table: string, columns: ScannedColumn[], terms: SearchTerms): Promise<boolean> {
    if (columns.length === 0 || terms.text.length + terms.digits.length === 0) return false;
    const text = this.rowText(columns);
    const textPatterns = terms.text.map((t) => `%${likeEscape(t)}%`);
    const exact = [
      ...(terms.text.length ? [sql`lower(${text}) like any(${textPatterns}::text[])`] : []),
      ...(terms.digits.length ? [sql`${this.withoutSeparators(text)} like any(${terms.digits.map((d) => `%${d}%`)}::text[])`] : []),
    ];
    const pre = [...terms.text.map(caseFreePattern), ...terms.digits.map(digitsInOrderPattern)];
    const r = await sql<{
      n: number;
    }>`select count(*) as n from ${sql.table(table)} where case when ${text} like any(${pre}::text[]) then
      (${sql.join(exact, sql` or `)}) else false end`.execute(this.db.kysely);
    return Number(r.rows[0]?.n ?? 0) > 0;
  }

  /**
   * With COPY: rows end with a line break, whole rows per chunk. The text lives in memory only
   * while `each` looks at it.
   */
  async tableText(table: string, columns: ScannedColumn[], each: (chunk: string) => void): Promise<void> {
    if (columns.length === 0) return;
    const select = sql`select ${this.rowText(columns)} from ${sql.table(table)}`.compile(this.db.kysely);
    const client = await this.db.pool!.connect();
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
        if (size >= CHUNK_BYTES) flush(false);
      }
      flush(true);
    } finally {
      client.release();
    }
  }

  /**
   * PostgreSQL keeps sample values of analysed columns (most common values, histogram bounds) in
   * its statistics; a person's address can be one of them. They are few (at most a few hundred
   * values per column), so they are read and matched in memory.
   */
  async statsValues(): Promise<{ table: string; column: string; values: string }[]> {
    const r = await sql<{ table: string; column: string; mcv: string | null; hist: string | null }>`
      select tablename as "table", attname as "column", most_common_vals::text as mcv, histogram_bounds::text as hist from pg_stats
      where schemaname = current_schema()`.execute(this.db.kysely);
    return r.rows.map((x) => ({ table: x.table, column: x.column, values: `${x.mcv ?? ''}\u0001${x.hist ?? ''}` }));
  }
}

/** COPY's text format escapes backslashes and control characters in values; undo it before matching. */
function copyUnescape(s: string): string {
  if (!s.includes('\\')) return s;
  const map: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
  return s.replace(/\\([bfnrtv\\])/g, (_m, c: string) => map[c]!);
}
