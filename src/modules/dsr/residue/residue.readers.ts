import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import SQLite from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { inParallel } from '../../../lib/parallel.ts';
import type { Db } from '../../database.ts';
import type { Identifiers, SearchTerms } from './residue.model.ts';
import { TaskRunner, type ScanAnswer, type ScanTask } from './residue.tasks.ts';

/**
 * Where a SQLite residue scan runs its tasks: SQL on the app's own connection, or spread over
 * reader processes (residue.reader.ts), each with read-only connections of its own, so a large
 * database is read and searched on every core. The bytes of the database files are always read
 * in a reader process: closing any descriptor of a file drops every POSIX lock the process holds
 * on it, SQLite's included (an ordinary client in another process then deletes the server's
 * log when it disconnects, and the database ends up malformed).
 *
 * Why processes rather than worker threads for the tables: a worker thread is in the same
 * process, so it cannot read the files' bytes; its own better-sqlite3 connections would be safe
 * (one SQLite library per process, built with SQLITE_THREADSAFE=2, keeps every descriptor of a
 * file in one table per inode under a global mutex, and closing a connection while another holds
 * locks leaves its descriptor open until they are released; verified: a worker thread's
 * read-only and writable connections opened and closed leave the main connection's lock in
 * /proc/locks). But a thread is started per scan and loads the TypeScript loader each time,
 * while a process is started once and kept, so one kind of reader does both.
 */
export interface ScanReaders {
  readonly width: number;
  run(task: ScanTask): Promise<ScanAnswer>;
  close(): Promise<void>;
}

/**
 * SQL tasks on the app's own connection; `bytes` tasks never run here. The checkpoint gets a
 * connection of its own: it waits with a zero busy timeout between attempts, and the app's
 * connection serves other requests meanwhile, which must keep waiting for another process's
 * write lock rather than fail at once (a request answered 503 while a scan waited for a reader).
 * A second connection in this process is safe for SQLite's locks (see above); an in-memory
 * database has no log to empty.
 */
export function inProcess(db: Db, terms: SearchTerms): ScanReaders {
  const raw = db.sqlite!;
  const runner = new TaskRunner(() => raw, terms, {
    open: () => (raw.memory ? raw : new SQLite(raw.name, { fileMustExist: true })),
    release: (c) => {
      if (c !== raw) c.close();
    },
  });
  return {
    width: 1,
    run: (task) => (task.kind === 'bytes' ? Promise.reject(new Error('file bytes are read in a reader process only')) : runner.run(task)),
    close: async () => undefined,
  };
}

/** What the pool says to a reader process. */
export type ToReader =
  | { type: 'begin'; scan: number; file: string; ids: Identifiers; terms: SearchTerms }
  | { type: 'task'; id: number; scan: number; task: ScanTask }
  | { type: 'end'; scan: number };

/** What a reader process answers. */
export type FromReader =
  | { type: 'ready' }
  | { type: 'answer'; id: number; answer: ScanAnswer }
  | { type: 'error'; id: number; error: string };

// Run from the sources, the reader is TypeScript: it gets tsx's loader by URL, so it starts from
// any working directory. Run from the compiled command line (dist/, scripts/build.mjs), this code
// sits in dist/ beside the reader compiled as its own entry, which needs no loader.
const COMPILED = fileURLToPath(new URL('./residue.reader.js', import.meta.url));
const READER = existsSync(COMPILED) ? COMPILED : fileURLToPath(new URL('./residue.reader.ts', import.meta.url));
const READER_ARGV = READER === COMPILED ? [] : ['--import', import.meta.resolve('tsx')];

interface Waiting {
  resolve: (a: ScanAnswer) => void;
  reject: (e: Error) => void;
}

/** One reader process and the tasks it owes answers to. */
class Reader {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private readonly waiting = new Map<number, Waiting>();
  private next = 0;
  private starting = true;
  private stderr = '';
  failed: Error | null = null;
  readonly exited: Promise<void>;

  constructor(onExit: (r: Reader) => void) {
    this.child = fork(READER, [], { execArgv: READER_ARGV, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    // Its last words explain a failed start (a missing loader); the reader prints no values.
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-2000)));
    (this.child.stderr as Socket).unref();
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.ready = new Promise<void>((resolve, reject) => {
      this.child.on('message', (m: FromReader) => {
        if (m.type === 'ready') {
          this.starting = false;
          this.hold();
          return resolve();
        }
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        this.hold();
        if (m.type === 'error') w?.reject(new Error(m.error));
        else w?.resolve(m.answer);
      });
      const die = (why: string) => {
        if (this.failed) return;
        this.failed = new Error(`a residue reader process ${why}${this.stderr ? `: ${this.stderr.trim().split('\n').pop()}` : ''}`);
        reject(this.failed);
        for (const w of this.waiting.values()) w.reject(this.failed);
        this.waiting.clear();
        onExit(this);
      };
      this.child.once('exit', (code, signal) => die(`exited (${signal ?? `code ${code}`})`));
      // Failing to start, or a message that could not be sent: either way the reader is gone.
      this.child.on('error', (e) => {
        die(`failed (${e.message})`);
        this.child.kill();
      });
    });
    // Whoever waits for it hears of a failed start; a reader started ahead (warm) may have no one.
    this.ready.catch(() => undefined);
    this.hold();
  }

  /** Outstanding answers. */
  get load(): number {
    return this.waiting.size;
  }

  send(m: ToReader): void {
    if (!this.failed) this.child.send(m);
  }

  run(scan: number, task: ScanTask): Promise<ScanAnswer> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.next++;
    const answer = new Promise<ScanAnswer>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.hold();
    this.child.send({ type: 'task', id, scan, task } satisfies ToReader);
    return answer;
  }

  async stop(): Promise<void> {
    // Never started (no pid) or already gone: nothing to wait for.
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    // Waiting for the exit must keep this process alive, idle reader or not.
    this.child.ref();
    this.child.kill();
    await this.exited;
  }

  /**
   * While answers are owed the channel keeps this process alive; otherwise an idle reader must
   * not keep a finished command from exiting (it exits itself when this process goes).
   */
  private hold(): void {
    if (this.starting || this.waiting.size) {
      this.child.ref();
      this.child.channel?.ref();
    } else {
      this.child.unref();
      this.child.channel?.unref();
    }
  }
}

/**
 * Reader processes, started when a scan first needs them and kept for later scans (the
 * TypeScript loader costs a few hundred milliseconds per start), replaced when one dies, stopped
 * after `idleMs` without a scan and on `close`.
 */
export class ReaderPool {
  private readers: Reader[] = [];
  private active = 0;
  private scans = 0;
  private idle: NodeJS.Timeout | null = null;

  constructor(private readonly idleMs: number) {}

  /** Starts readers up to `n` without waiting, so that their start overlaps other work. */
  warm(n: number): void {
    this.take(n);
    this.rest();
  }

  /** `width` readers prepared for one scan of `file`; `close` ends the scan (the readers stay). */
  async session(file: string, ids: Identifiers, terms: SearchTerms, width: number): Promise<ScanReaders> {
    this.active++;
    if (this.idle) clearTimeout(this.idle);
    const mine = this.take(width);
    try {
      await Promise.all(mine.map((r) => r.ready));
    } catch (e) {
      this.release();
      throw e;
    }
    const scan = ++this.scans;
    for (const r of mine) r.send({ type: 'begin', scan, file, ids, terms });
    let closed = false;
    return {
      width,
      run: (task) => mine.reduce((a, b) => (b.load < a.load ? b : a)).run(scan, task),
      close: async () => {
        if (closed) return;
        closed = true;
        for (const r of mine) r.send({ type: 'end', scan });
        this.release();
      },
    };
  }

  /** The live reader processes' ids. */
  get pids(): number[] {
    return this.readers.flatMap((r) => (r.child.pid === undefined || r.failed ? [] : [r.child.pid]));
  }

  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    const all = this.readers;
    this.readers = [];
    await Promise.all(all.map((r) => r.stop()));
  }

  private take(n: number): Reader[] {
    while (this.readers.length < n) this.readers.push(new Reader((r) => (this.readers = this.readers.filter((x) => x !== r))));
    return this.readers.slice(0, n);
  }

  private release(): void {
    this.active--;
    this.rest();
  }

  private rest(): void {
    if (this.active > 0) return;
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.close(), this.idleMs);
    this.idle.unref();
  }
}

/**
 * Runs the tasks with every reader busy, handing each answer to `each` as it arrives; a task
 * whose question is already answered (`skip`) is not run.
 */
export async function runAll<T>(
  readers: ScanReaders,
  tasks: { task: ScanTask; tag: T }[],
  each: (answer: ScanAnswer, tag: T) => void,
  skip: (tag: T) => boolean = () => false,
): Promise<void> {
  await inParallel(tasks, readers.width + 1, async (t) => {
    if (!skip(t.tag)) each(await readers.run(t.task), t.tag);
  });
}
