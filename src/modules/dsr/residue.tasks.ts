import { closeSync, openSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
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
 * - `bytes`: a byte range of a database file, searched for the identifiers' stored forms;
 * - `checkpoint`: copy the write-ahead log into the file and empty it (before any `bytes`).
 */
export type ScanTask = { kind: 'test'; s: Statement } | { kind: 'text'; s: Statement } | { kind: 'bytes'; file: string; start: number; end: number } | { kind: 'checkpoint'; patienceMs: number };

/**
 * `test` and `bytes`: whether something was found; `text`: the terms found (possibly a few more,
 * confirmed by the caller); `checkpoint`: whether the log was emptied, and how long it took.
 */
export type ScanAnswer = boolean | string[] | { checkpointed: boolean; ms: number };

const CHUNK = 16 * 1024 * 1024;
/**
 * Copies the write-ahead log into the database file and truncates it, so that the file alone
 * holds the database and the log no longer holds older page images. A reader still using the
 * log's frames keeps it from being emptied; the scan's own readers start their statements on
 * the file once the frames are copied, so waiting a little is enough. False when it could not.
 */
export async function checkpointLog(sqlite: SQLite.Database, patienceMs: number): Promise<boolean> {
  // Each attempt answers at once (a busy timeout would block the thread); the waiting is here.
  const timeout = Number(sqlite.pragma('busy_timeout', { simple: true }));
  sqlite.pragma('busy_timeout = 0');
  try {
    // The patience counts from the end of the first attempt, which copies the log (seconds after
    // a bulk erasure); later attempts only wait for readers to let go of it.
    let until = 0;
    for (;;) {
      const [r] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (r?.busy === 0) return true;
      until ||= performance.now() + patienceMs;
      if (performance.now() > until) return false;
      await sleep(50);
    }
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * Runs scan tasks on one connection, in whatever thread it lives: the app's own connection for a
 * small database, or a read-only connection in each worker thread for a large one.
 */
export class TaskRunner {
  private text: TextMatcher | null = null;
  private bytes: ByteMatcher | null = null;
  private buf: Buffer | null = null;

  /**
   * `writable` gives a connection that may checkpoint (a worker's own connection is read-only)
   * and is handed back to `release` afterwards.
   */
  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly ids: Identifiers,
    private readonly terms: SearchTerms,
    private readonly writable: { open: () => SQLite.Database; release: (c: SQLite.Database) => void } = { open: () => sqlite, release: () => undefined },
  ) {}

  async run(task: ScanTask): Promise<ScanAnswer> {
    if (task.kind === 'checkpoint') return this.checkpoint(task.patienceMs);
    return this.runNow(task);
  }

  private async checkpoint(patienceMs: number): Promise<ScanAnswer> {
    const t = performance.now();
    const c = this.writable.open();
    try {
      return { checkpointed: await checkpointLog(c, patienceMs), ms: performance.now() - t };
    } finally {
      this.writable.release(c);
    }
  }

  private runNow(task: Exclude<ScanTask, { kind: 'checkpoint' }>): ScanAnswer {
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
