import { closeSync, openSync, readSync } from 'node:fs';
import type SQLite from 'better-sqlite3';
import { ByteMatcher, TextMatcher, type Identifiers, type SearchTerms } from './residue.model.ts';

/** A statement to run on a SQLite connection; its first value is the answer. */
export interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

/**
 * One piece of a SQLite residue scan, small enough to hand to any reader:
 * - `test`: a statement answering whether rows hold a term (a few terms, tested in SQL);
 * - `text`: a statement answering rows as one text, searched in memory for many terms;
 * - `bytes`: a byte range of a database file, searched for the identifiers' stored forms.
 */
export type ScanTask = { kind: 'test'; s: Statement } | { kind: 'text'; s: Statement } | { kind: 'bytes'; file: string; start: number; end: number };

/** `test` and `bytes`: whether something was found; `text`: the terms found (possibly a few more, confirmed by the caller). */
export type ScanAnswer = boolean | string[];

const CHUNK = 16 * 1024 * 1024;

/**
 * Runs scan tasks on one connection, in whatever thread it lives: the app's own connection for a
 * small database, or a read-only connection in each worker thread for a large one.
 */
export class TaskRunner {
  private text: TextMatcher | null = null;
  private bytes: ByteMatcher | null = null;
  private buf: Buffer | null = null;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly ids: Identifiers,
    private readonly terms: SearchTerms,
  ) {}

  run(task: ScanTask): ScanAnswer {
    if (task.kind === 'bytes') return this.rangeMatches(task.file, task.start, task.end);
    const value = (this.sqlite.prepare(task.s.sql).raw().get(...(task.s.parameters as unknown[])) as unknown[] | undefined)?.[0];
    if (task.kind === 'test') return value !== undefined && value !== null;
    if (typeof value !== 'string') return [];
    const found = new Set<string>();
    (this.text ??= new TextMatcher(this.terms)).scan(value, found);
    return [...found];
  }

  /** Reads [start, end) of the file (plus the overlap a needle across `end` needs) and searches it. */
  private rangeMatches(file: string, start: number, end: number): boolean {
    const matcher = (this.bytes ??= new ByteMatcher(this.ids));
    if (matcher.empty) return false;
    const buf = (this.buf ??= Buffer.alloc(CHUNK + matcher.overlap));
    const fd = openSync(file, 'r');
    try {
      for (let pos = start; pos < end; pos += CHUNK) {
        // Each chunk runs on past its end by the overlap, so a needle across a border is seen whole.
        const n = readSync(fd, buf, 0, Math.min(CHUNK, end - pos) + matcher.overlap, pos);
        if (n === 0) break;
        if (matcher.matches(buf.subarray(0, n))) return true;
      }
      return false;
    } finally {
      closeSync(fd);
    }
  }
}
