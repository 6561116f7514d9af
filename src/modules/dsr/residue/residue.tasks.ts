import { setTimeout as sleep } from 'node:timers/promises';
import type SQLite from 'better-sqlite3';
import { TextMatcher, type SearchTerms } from './residue.model.ts';

/** A statement to run on a SQLite connection; its first value is the answer. */
export interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

/**
 * A piece of a SQLite residue scan that runs on a connection, the app's own or a reader
 * process's (residue.reader.ts):
 * - `test`: a statement answering whether rows hold a term (a few terms, tested in SQL);
 * - `text`: a statement answering rows as one text, searched in memory for many terms;
 * - `checkpoint`: copy the write-ahead log into the file and empty it (before any `bytes`).
 */
export type SqlTask = { kind: 'test'; s: Statement } | { kind: 'text'; s: Statement } | { kind: 'checkpoint'; patienceMs: number };

/**
 * A byte range of a database file, searched for the identifiers' stored forms. Only ever run in
 * a reader process (residue.bytes.ts): the serving process never opens its database's files.
 */
export type BytesTask = { kind: 'bytes'; file: string; start: number; end: number };

export type ScanTask = SqlTask | BytesTask;

/**
 * `test` and `bytes`: whether something was found; `text`: the terms found (possibly a few more,
 * confirmed by the caller); `checkpoint`: whether the log was emptied, and how long it took.
 */
export type ScanAnswer = boolean | string[] | { checkpointed: boolean; ms: number };

/**
 * Copies the write-ahead log into the database file and truncates it, so that the file alone
 * holds the database and the log no longer holds older page images. A reader still using the
 * log's frames keeps it from being emptied; the scan's own readers start their statements on
 * the file once the frames are copied, so waiting a little is enough. False when it could not.
 * `sqlite` must be a connection of the checkpoint's own: its busy timeout is zero while this
 * waits, and any other statement on it would then fail at once instead of waiting for a lock.
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
 * Runs SQL tasks on one connection: the app's own for a small database, or a reader process's
 * read-only one for a large database.
 */
export class TaskRunner {
  private text: TextMatcher | null = null;

  /**
   * `sqlite` gives the connection (opened on first use); `writable` a connection that may
   * checkpoint (a reader's own connection is read-only), handed back to `release` afterwards.
   */
  constructor(
    private readonly sqlite: () => SQLite.Database,
    private readonly terms: SearchTerms,
    private readonly writable: { open: () => SQLite.Database; release: (c: SQLite.Database) => void } = {
      open: sqlite,
      release: () => undefined,
    },
  ) {}

  async run(task: SqlTask): Promise<ScanAnswer> {
    if (task.kind === 'checkpoint') return this.checkpoint(task.patienceMs);
    const value = (
      this.sqlite()
        .prepare(task.s.sql)
        .raw()
        .get(...(task.s.parameters as unknown[])) as unknown[] | undefined
    )?.[0];
    if (task.kind === 'test') return value !== undefined && value !== null;
    if (typeof value !== 'string') return [];
    const found = new Set<string>();
    (this.text ??= new TextMatcher(this.terms)).scan(value, found);
    return [...found];
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
}
