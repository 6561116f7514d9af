import { existsSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import type { Db } from '../database.ts';
import type { Database } from '../database.ts';
import { retryConflicts } from '../../db/conflict.ts';
import type { Clock } from '../../lib/clock.ts';
import { CsvReader, csvLine, fromCsvCell, type CsvItem } from '../../lib/csv.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { JobRow } from '../../jobs/jobs.model.ts';
import type { JobOwner, JobProgress } from '../platform/module.ts';
import type { ChangeContext, ConsentBatch, ConsentColumns, ConsentService } from '../consent/module.ts';
import type { SuppressionService } from '../suppression/module.ts';
import type { ContactsService } from './contacts.service.ts';
import type { CustomField } from './custom-fields.model.ts';
import type { ImportResult, RejectedRow } from './import.model.ts';
import type { EventLog } from '../events/module.ts';
import * as q from './import.queries.ts';
import type { CheckerInput, FromChecker, ToChecker } from './import.check.protocol.ts';
import { type ImportOptions, rejectRow, type Run, startRun, takeItem, type Valid } from './import.check.ts';

export type { ImportOptions } from './import.check.ts';
import { lockContacts } from '../contact-records/module.ts';

/** A batch handed over for writing, with the rejects found since the one before. */
interface Part {
  rows: Valid[];
  rejects: RejectedRow[];
}

/** What a committed batch did; suppressed rows were left out of it. */
interface Written {
  created: number;
  updated: number;
  suppressed: Valid[];
}

/** A batch created an address that an erasure suppressed while the batch was being written. */
class SuppressedMeanwhile extends Error {}
const SUPPRESSED_TRIES = 3;

const BATCH_SIZE = 10_000;
const YIELD_EVERY = 500;

/** The queue import jobs run on. */
export const IMPORT_QUEUE = 'import';
/** Lines per step of an import job: one transaction each, and how often its progress moves. */
const JOB_STEP = 1_000;
/** The file's text is handed to the reader a piece at a time. */
const JOB_PIECE = 1 << 20;

/** An import job's payload: its options, never the file (import_uploads) nor a cell of it. */
export interface ImportJobPayload {
  map?: string;
  dryRun: boolean;
  mayChangeConsent: boolean;
  actor: ChangeContext['actor'];
}

/**
 * What an import job reports once done (GET /api/v1/jobs/{id}): the synchronous answer's counts,
 * `rejected` being the number of rejected lines, which GET /api/v1/imports/{jobId}/rejected lists.
 */
export interface ImportJobResult {
  created: number;
  updated: number;
  rejected: number;
  ignoredColumns: string[];
  dryRun: boolean;
}

/** A job's result is its end's once it names the ignored columns (the steps' tallies hold counts only). */
const ended = (result: unknown): boolean => typeof result === 'object' && result !== null && 'ignoredColumns' in result;
const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;

/** Pieces of text sent to the checking thread ahead of its reading. */
const PIECES_AHEAD = 8;
// Compiled (dist/), the checker is the .js entry beside this chunk (scripts/build.mjs); from the sources, the .ts.
const COMPILED_CHECKER = new URL('./import.check.worker.js', import.meta.url);
const CHECKER_URL = existsSync(fileURLToPath(COMPILED_CHECKER)) ? COMPILED_CHECKER : new URL('./import.check.worker.ts', import.meta.url);
const CHECKER = fileURLToPath(CHECKER_URL);
/**
 * The thread's start: a worker does not inherit the process's TypeScript loader (Node 20 runs
 * `--import` hooks per thread), so it registers tsx's before importing the checker. Compiled,
 * the checker is JavaScript and the loader is not needed.
 */
const checker = JSON.stringify(CHECKER_URL.href);
const BOOT = CHECKER.endsWith('.ts')
  ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${checker}); });`
  : `import(${checker});`;

async function* toAsync(source: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  yield* source;
}

/** A text cut lazily into pieces for the reader (a string, not a list: src/lib/chunks.ts splits lists). */
function* textPieces(text: string): Generator<string> {
  for (let at = 0; at < text.length; ) {
    const end = at + JOB_PIECE;
    yield text.slice(at, end);
    at = end;
  }
}

/**
 * CSV import of contacts: upsert by the address's match key (any spelling of a stored address
 * updates that contact, which keeps its written form), consent level changes recorded in the
 * ledger (source `import`). Each row is all or nothing: it is checked whole before anything is
 * written, and written in a batch transaction together with its ledger entry. A batch that
 * fails is retried row by row, so only the row at fault is rejected. The file as a whole is
 * not one transaction: an import stopped midway keeps the batches it committed, and running
 * the same file again is safe.
 */
export class ImportService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly contacts: ContactsService,
    private readonly consent: Pick<ConsentService, 'batch'>,
    private readonly suppressions: Pick<SuppressionService, 'among'>,
    private readonly progress: JobProgress,
    private readonly events: Pick<EventLog, 'publish'>,
  ) {}

  async importCsv(source: AsyncIterable<string> | Iterable<string>, opts: ImportOptions): Promise<ImportResult> {
    // Read before any transaction: on SQLite a query outside an open transaction would wait forever.
    const { fields } = await this.contacts.context();
    const today = this.clock.now().toISOString().slice(0, 10);
    const size = opts.batchSize ?? BATCH_SIZE;
    if (opts.checkApart && existsSync(CHECKER)) return this.importCheckedApart(toAsync(source), opts, fields, today, size);
    const reader = new CsvReader();
    let run: Run | null = null;
    // Checking rows is CPU work here, writing them mostly waits on the database: the next batch
    // is checked while the previous one is written. One write at a time, in file order.
    let writing: Promise<void> = Promise.resolve();
    const handOver = async (r: Run) => {
      const part: Part = { rows: r.batch, rejects: r.pending };
      r.batch = [];
      r.pending = [];
      const before = writing;
      writing = (async () => {
        await before;
        await this.flush(r, part);
      })();
      // Handled here so a failure waits, unreported, for the await that rethrows it.
      writing.catch(() => undefined);
      await before;
    };
    const take = async (items: CsvItem[]) => {
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        // Cells stand for values: a formula neutralised by a quote (our own exports) is the formula's text (lib/csv.ts).
        if (item.kind === 'record') for (let k = 0; k < item.cells.length; k++) item.cells[k] = fromCsvCell(item.cells[k]!);
        if (run) this.take(run, item);
        else run = this.start(item, fields, today, opts);
        if (run.batch.length >= size) await handOver(run);
        // Lets the write's database replies in now and then, or it would only advance between chunks.
        else if (i % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
      }
    };
    try {
      for await (const chunk of source) await take(reader.push(chunk));
      await take(reader.end());
    } finally {
      await writing.catch(() => undefined);
    }
    if (!run)
      throw new AppError('validation_failed', 'the file is empty: the first line must name the columns', [
        { path: '/header', message: 'missing' },
      ]);
    await handOver(run);
    await writing;
    const result = (run as Run).result;
    // After the last batch committed (each batch is its own transaction): counts only.
    if (!result.dryRun)
      await this.db.kysely
        .transaction()
        .execute((trx) => this.finished(trx, null, { created: result.created, updated: result.updated, rejected: result.rejected.length }));
    return result;
  }

  /**
   * Starts an import as a job (a large file, or `async` asked): the header is checked here, so a
   * file refused whole (unknown columns, consent columns for a role without consent rights) is
   * refused in the request; the lines are counted for the progress's total; the text is stored
   * (import_uploads) with the job in one transaction. Nothing is imported before the job runs.
   */
  async startJob(text: string, opts: ImportOptions, owner: JobOwner): Promise<{ jobId: string; total: number }> {
    const { fields } = await this.contacts.context();
    const today = this.clock.now().toISOString().slice(0, 10);
    const reader = new CsvReader();
    let header = false;
    let total = 0;
    const count = (items: CsvItem[]) => {
      for (const item of items) {
        if (header) total++;
        else {
          this.start(item, fields, today, opts);
          header = true;
        }
      }
    };
    for (const piece of textPieces(text)) {
      count(reader.push(piece));
      await setImmediate();
    }
    count(reader.end());
    if (!header)
      throw new AppError('validation_failed', 'the file is empty: the first line must name the columns', [
        { path: '/header', message: 'missing' },
      ]);
    const payload: ImportJobPayload = {
      dryRun: opts.dryRun === true,
      mayChangeConsent: opts.mayChangeConsent,
      actor: opts.actor,
      ...(opts.map ? { map: opts.map } : {}),
    };
    const content = Buffer.from(text, 'utf8');
    const job = await this.progress.enqueue(IMPORT_QUEUE, payload, owner, total, {
      with: (trx, j) => q.insertUpload(trx, j.id, content, this.clock.now().toISOString()),
    });
    return { jobId: job.id, total };
  }

  /**
   * An import job: reads its file from the start and checks every line (a duplicate address is
   * found against the lines before it, applied or not), and writes the lines after the progress's
   * cursor (a line number) a step at a time: each step's rows, rejected lines and counts commit
   * with the cursor's move, so a job run again after its worker died resumes after the last step
   * that committed and imports no row twice. At its end the result is written and the file
   * deleted, in one transaction.
   */
  async runJob(payload: unknown, job: JobRow): Promise<void> {
    const p = payload as ImportJobPayload;
    const pos = await this.progress.position(job.id);
    if (!pos) return;
    const upload = await q.uploadOf(this.db.kysely, job.id);
    if (!upload) {
      // Ended already: the run that ended it died before the job was marked done.
      if (ended((await this.progress.get(job.id))?.result)) return;
      throw new AppError('not_found', 'the uploaded file is gone (uploads are kept one day): import the file again');
    }
    const opts: ImportOptions = {
      actor: p.actor,
      mayChangeConsent: p.mayChangeConsent,
      dryRun: p.dryRun,
      ...(p.map ? { map: p.map } : {}),
    };
    const { fields } = await this.contacts.context();
    const today = this.clock.now().toISOString().slice(0, 10);
    const text = Buffer.from(upload.content).toString('utf8');
    const reader = new CsvReader();
    let run: Run | null = null;
    let cursor = pos.cursor;
    let last = 0;
    const hand = async (r: Run) => {
      const rows = r.batch;
      const rejects = r.pending;
      r.batch = [];
      r.pending = [];
      cursor = await this.commitPart(job.id, r, cursor, rows, rejects, last);
    };
    const take = async (items: CsvItem[]) => {
      for (const item of items) {
        if (item.kind === 'record') for (let k = 0; k < item.cells.length; k++) item.cells[k] = fromCsvCell(item.cells[k]!);
        if (!run) {
          run = this.start(item, fields, today, opts);
          continue;
        }
        this.take(run, item);
        last = item.line;
        if (run.batch.length + run.pending.length >= JOB_STEP) await hand(run);
      }
    };
    for (const piece of textPieces(text)) await take(reader.push(piece));
    await take(reader.end());
    if (!run) throw new AppError('validation_failed', 'the file is empty', [{ path: '/header', message: 'missing' }]);
    const done: Run = run;
    await hand(done);
    const sofar = ((await this.progress.get(job.id))?.result ?? {}) as Partial<Record<'created' | 'updated' | 'rejected', number>>;
    const result: ImportJobResult = {
      created: sofar.created ?? 0,
      updated: sofar.updated ?? 0,
      rejected: sofar.rejected ?? 0,
      ignoredColumns: done.result.ignoredColumns,
      dryRun: done.result.dryRun,
    };
    await this.db.kysely.transaction().execute(async (trx) => {
      await this.progress.finish(job.id, result, trx);
      await q.deleteUpload(trx, job.id);
      if (!result.dryRun) await this.finished(trx, job.id, result);
    });
  }

  /**
   * The webhook event "import finished", in the transaction that records the end (a job's last
   * step, or after a request's last batch): the job's id when it ran as one, and counts, never a cell.
   */
  private async finished(
    trx: Kysely<Database>,
    jobId: string | null,
    counts: { created: number; updated: number; rejected: number },
  ): Promise<void> {
    await this.events.publish(trx, {
      type: 'import.finished',
      data: { ...(jobId ? { jobId } : {}), created: counts.created, updated: counts.updated, rejected: counts.rejected },
    });
  }

  /**
   * The lines of a part after the cursor, applied in one step (or row by row when the step fails);
   * the cursor afterwards. When another run of the job moved the cursor first, goes on from there.
   */
  private async commitPart(
    jobId: string,
    run: Run,
    cursor: string | null,
    rows: Valid[],
    rejects: RejectedRow[],
    last: number,
  ): Promise<string | null> {
    for (;;) {
      const after = cursor === null ? 0 : Number(cursor);
      const r = rows.filter((x) => x.line > after);
      const j = rejects.filter((x) => x.line > after);
      if (r.length + j.length === 0) return cursor;
      if (await this.commitRange(jobId, run, cursor, r, j, last)) return String(last);
      const pos = await this.progress.position(jobId);
      if (!pos) throw new AppError('not_found', 'the import job is gone');
      cursor = pos.cursor;
    }
  }

  /**
   * One step for the lines up to `to`; false when another run took it. A step that fails is
   * tried row by row, as the synchronous import does, so only the row at fault is rejected; each
   * row's step carries the rejected lines before it. Every row failing alone means the database,
   * not the data, is at fault: the job fails (and is retried) having recorded none of them.
   */
  private async commitRange(
    jobId: string,
    run: Run,
    from: string | null,
    rows: Valid[],
    rejects: RejectedRow[],
    to: number,
  ): Promise<boolean> {
    try {
      return await this.jobStep(jobId, run, { from, to: String(to), by: rows.length + rejects.length }, rows, rejects);
    } catch (e) {
      if (rows.length === 0) throw e;
      const waiting = [...rejects].sort(byLine);
      let w = 0;
      let cur = from;
      let held: RejectedRow[] = [];
      let failed = 0;
      for (const row of rows) {
        while (w < waiting.length && waiting[w]!.line < row.line) held.push(waiting[w++]!);
        try {
          if (!(await this.jobStep(jobId, run, { from: cur, to: String(row.line), by: held.length + 1 }, [row], held))) return false;
          cur = String(row.line);
          held = [];
        } catch (rowError) {
          failed++;
          this.reject(run, row.line, failure(rowError), row.cells, held);
        }
      }
      if (failed === rows.length) throw e;
      held.push(...waiting.slice(w));
      if (held.length === 0) return true;
      return this.jobStep(jobId, run, { from: cur, to: String(to), by: held.length }, [], held);
    }
  }

  /** A step's transaction, run again when an address it creates was erased meanwhile or on a deadlock. */
  private jobStep(
    jobId: string,
    run: Run,
    move: { from: string | null; to: string; by: number },
    rows: Valid[],
    rejects: RejectedRow[],
  ): Promise<boolean> {
    return retryConflicts(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await this.progress.step(jobId, move, (trx) => this.jobWork(trx as Kysely<Database>, jobId, run, rows, [...rejects]));
          return r.applied;
        } catch (e) {
          if (!(e instanceof SuppressedMeanwhile) || attempt >= SUPPRESSED_TRIES) throw e;
        }
      }
    });
  }

  /** A step's work: the rows written (or, dry, classified), the rejected lines kept, the counts added to the job's. */
  private async jobWork(trx: Kysely<Database>, jobId: string, run: Run, rows: Valid[], rejects: RejectedRow[]): Promise<void> {
    let n = { created: 0, updated: 0 };
    if (rows.length && run.result.dryRun) n = await this.classify(trx, run, rows, rejects);
    else if (rows.length) {
      const w = await this.writeBatch(trx, run, rows);
      n = { created: w.created, updated: w.updated };
      for (const r of w.suppressed) this.suppressed(run, r, rejects);
    }
    await q.insertRejects(
      trx,
      jobId,
      rejects.map((r) => ({ line: r.line, reason: r.reason })),
      this.clock.now().toISOString(),
    );
    await this.progress.tally(trx, jobId, { created: n.created, updated: n.updated, rejected: rejects.length });
  }

  /** An import job's rejected lines as CSV (`line,reason`), in line order, a page at a time. */
  async *rejectedCsv(jobId: string): AsyncGenerator<string> {
    yield csvLine(['line', 'reason']);
    for (let after = 0; ; ) {
      const page = await q.rejectsAfter(this.db.kysely, jobId, after, 1000);
      if (page.length === 0) return;
      let s = '';
      for (const r of page) s += csvLine([r.line, r.reason]);
      yield s;
      after = page[page.length - 1]!.line;
    }
  }

  /** The header decides the columns, or refuses the file as a whole. */
  private start(item: CsvItem, fields: CustomField[], today: string, opts: ImportOptions): Run {
    return startRun(item, fields, today, this.clock.now().toISOString(), opts);
  }

  private take(run: Run, item: CsvItem): void {
    takeItem(run, item);
  }

  private reject(run: Run, line: number, reason: string, cells: string[], into: RejectedRow[] = run.pending): void {
    rejectRow(run, line, reason, cells, into);
  }

  /**
   * The import with its lines read and checked in a worker thread (import.check.worker.ts): on
   * SQLite a batch's write holds this thread, so the next batch can only be checked meanwhile
   * on another. The text goes over a few pieces ahead of the checking, batches come back in line
   * order and are written here one at a time, as in the single-thread import; the thread is
   * ended whatever happens.
   */
  private async importCheckedApart(
    source: AsyncIterable<string>,
    opts: ImportOptions,
    fields: CustomField[],
    today: string,
    size: number,
  ): Promise<ImportResult> {
    const input: CheckerInput = {
      fields,
      today,
      now: this.clock.now().toISOString(),
      opts: { dryRun: opts.dryRun === true, mayChangeConsent: opts.mayChangeConsent, ...(opts.map ? { map: opts.map } : {}) },
      size,
    };
    const worker = new Worker(BOOT, { eval: true, workerData: input });
    const inbox: FromChecker[] = [];
    let wake: (() => void) | null = null;
    const push = (m: FromChecker) => {
      inbox.push(m);
      const w = wake;
      wake = null;
      w?.();
    };
    worker.on('message', push);
    worker.on('error', (e: Error) => push({ kind: 'failed', message: e.message }));
    worker.on('exit', (code) => push({ kind: 'failed', message: `it exited (${code})` }));
    const next = async (): Promise<FromChecker> => {
      while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return inbox.shift()!;
    };
    const text = source[Symbol.asyncIterator]();
    let ahead = 0;
    let ended = false;
    const feed = async () => {
      while (!ended && ahead < PIECES_AHEAD) {
        const r = await text.next();
        if (r.done) {
          ended = true;
          worker.postMessage({ kind: 'end' } satisfies ToChecker);
        } else {
          worker.postMessage({ kind: 'text', text: r.value } satisfies ToChecker);
          ahead++;
        }
      }
    };
    let run: Run | null = null;
    try {
      await feed();
      for (;;) {
        const m = await next();
        if (m.kind === 'read') {
          ahead--;
          await feed();
        } else if (m.kind === 'header') run = this.start({ kind: 'record', line: 1, cells: m.cells }, fields, today, opts);
        else if (m.kind === 'batch') {
          // Taken: the thread checks the next batch while this one is written.
          worker.postMessage({ kind: 'taken' } satisfies ToChecker);
          await this.flush(run!, { rows: m.rows, rejects: m.rejects });
        } else if (m.kind === 'end') break;
        else if (m.kind === 'refused') throw new AppError(m.code, m.message, m.details);
        else throw new Error(`the import's checking thread failed: ${m.message}`);
      }
    } finally {
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
    if (!run)
      throw new AppError('validation_failed', 'the file is empty: the first line must name the columns', [
        { path: '/header', message: 'missing' },
      ]);
    return run.result;
  }

  /** Writes (or, dry, classifies) a batch, then reports its rejects and those checked before it, in line order. */
  private async flush(run: Run, part: Part): Promise<void> {
    if (part.rows.length) {
      if (run.result.dryRun) {
        const n = await this.classify(this.db.kysely, run, part.rows, part.rejects);
        run.result.created += n.created;
        run.result.updated += n.updated;
      } else await this.write(run, part.rows, part.rejects);
    }
    part.rejects.sort((a, b) => a.line - b.line);
    for (const r of part.rejects) {
      run.result.rejected.push({ line: r.line, reason: r.reason });
      run.opts.onReject?.(r, run.header);
    }
  }

  /** Dry run: what the batch would do, read without locks (in `db`: a job's step reads in its transaction), nothing written. */
  private async classify(
    db: Kysely<Database>,
    run: Run,
    batch: Valid[],
    rejects: RejectedRow[],
  ): Promise<{ created: number; updated: number }> {
    const emails = batch.map((r) => r.email);
    const existing = new Set(
      (
        await q.contactsByEmailKeys(
          db,
          this.db.dialect,
          batch.map((r) => r.key),
          false,
        )
      ).map((r) => r.email_key),
    );
    const blocked = await this.suppressions.among(emails, db);
    const n = { created: 0, updated: 0 };
    for (const r of batch) {
      if (blocked.has(r.email)) this.suppressed(run, r, rejects);
      else if (existing.has(r.key)) n.updated++;
      else n.created++;
    }
    return n;
  }

  /** An erased address stays erased: the row is refused, the rest of the file goes on. */
  private suppressed(run: Run, r: Valid, rejects: RejectedRow[]): void {
    this.reject(run, r.line, `${run.emailColumn}: this address was erased and is suppressed`, r.cells, rejects);
  }

  private count(run: Run, n: Written, rejects: RejectedRow[]): void {
    run.result.created += n.created;
    run.result.updated += n.updated;
    for (const r of n.suppressed) this.suppressed(run, r, rejects);
  }

  /**
   * One transaction for the rows, run again when an address it creates was erased meanwhile (the
   * next run refuses it as suppressed) or when the database chose it as a deadlock victim.
   */
  private writeRetrying(run: Run, rows: Valid[]): Promise<Written> {
    return retryConflicts(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.db.kysely.transaction().execute((trx) => this.writeBatch(trx, run, rows));
        } catch (e) {
          if (!(e instanceof SuppressedMeanwhile) || attempt >= SUPPRESSED_TRIES) throw e;
        }
      }
    });
  }

  private async write(run: Run, batch: Valid[], rejects: RejectedRow[]): Promise<void> {
    try {
      const n = await this.writeRetrying(run, batch);
      this.count(run, n, rejects);
      return;
    } catch (e) {
      if (batch.length === 1) {
        this.reject(run, batch[0]!.line, failure(e), batch[0]!.cells, rejects);
        return;
      }
      let failed = 0;
      for (const row of batch) {
        try {
          const n = await this.writeRetrying(run, [row]);
          this.count(run, n, rejects);
        } catch (rowError) {
          failed++;
          this.reject(run, row.line, failure(rowError), row.cells, rejects);
        }
      }
      // Every row failing alone means the database, not the data, is at fault: stop, do not reject the file row by row.
      if (failed === batch.length) throw e;
    }
  }

  /**
   * One transaction: read (and on PostgreSQL lock) the batch's contacts, refuse suppressed
   * addresses, write new and merged rows, append the ledger entries under one head lock.
   * Suppressions are read after the contacts' locks are held, inside the transaction: an
   * erasure committing meanwhile (it deletes the contact and suppresses the address at once)
   * is then either seen whole or waited for; and again after the new addresses' registry rows
   * are written, for an erasure of an address no contact held yet (it holds the key instead).
   * Refused rows are returned, to be reported once the transaction has committed.
   */
  private async writeBatch(trx: Kysely<Database>, run: Run, all: Valid[]): Promise<Written> {
    const now = this.clock.now().toISOString();
    const emails = all.map((r) => r.email);
    const keys = all.map((r) => r.key);
    // PostgreSQL: the stored contacts are locked in id order first, the order erasures and
    // segment snapshots take contacts in, not the file's; the locked read below then waits for
    // nothing it does not hold already (a contact created for a key meanwhile aside).
    if (this.db.dialect === 'postgres')
      await lockContacts(
        trx,
        this.db.dialect,
        (await q.contactsByEmailKeys(trx, this.db.dialect, keys, false)).map((r) => r.id),
      );
    const found = await q.contactsByEmailKeys(trx, this.db.dialect, keys, true);
    const blocked = await this.suppressions.among(emails, trx);
    const batch = blocked.size ? all.filter((r) => !blocked.has(r.email)) : all;
    const kept = new Set(batch.map((r) => r.key));
    const stored = new Map(found.filter((r) => kept.has(r.email_key)).map((r) => [r.email_key, r as unknown as Record<string, unknown>]));
    const change: ChangeContext = { source: 'import', actor: run.opts.actor };
    // The consent columns are written as the consent module gives them, with their ledger entries.
    const consent = this.consent.batch(change);
    const fresh: unknown[][] = [];
    const registered: { key: string; id: string }[] = [];
    const changed: unknown[][] = [];
    const updatedAt = run.cols.findIndex((c) => c.name === 'updated_at');
    const emailAt = run.cols.findIndex((c) => c.name === 'email');
    for (const r of batch) {
      const old = stored.get(r.key);
      if (!old) {
        const id = newId();
        const set = withConsent(consent, id, null, r);
        fresh.push(values(run.cols, set, { id, created_at: now, updated_at: now }));
        registered.push({ key: r.key, id });
        continue;
      }
      const row = values(run.cols, withConsent(consent, old.id as string, old as unknown as ConsentColumns, r), old);
      // Matched by key: the stored contact keeps the address as it was written.
      row[emailAt] = old.email;
      // An unchanged contact is not rewritten, so updated_at keeps meaning "last changed".
      if (row.every((v, k) => v === (old[run.cols[k]!.name] ?? null))) continue;
      row[updatedAt] = now;
      changed.push(row);
    }
    await q.insertContacts(trx, this.db, run.cols, fresh);
    await q.insertEmailKeys(trx, this.db, registered);
    // Asked again once the new addresses' keys are taken: an erasure of one of them holds its key
    // until it commits (and suppresses it in the same transaction), so the insert above waited for
    // it and this read sees the suppression. The batch then runs again and refuses that row.
    if (
      registered.length &&
      (
        await this.suppressions.among(
          batch.filter((r) => !stored.has(r.key)).map((r) => r.email),
          trx,
        )
      ).size
    )
      throw new SuppressedMeanwhile();
    await q.updateContacts(trx, this.db, run.cols, changed);
    await consent.commit(trx);
    return {
      created: batch.length - stored.size,
      updated: stored.size,
      suppressed: blocked.size ? all.filter((r) => blocked.has(r.email)) : [],
    };
  }
}

/**
 * A row's values with its consent columns (level, child flag, birth date) as the consent module
 * gives them, which also records their ledger entries: the import writes its rows in bulk, with
 * these values and none of its own.
 */
function withConsent(consent: ConsentBatch, contactId: string, before: ConsentColumns | null, r: Valid): Record<string, unknown> {
  const set = r.set;
  const after = consent.change(
    contactId,
    before,
    {
      ...(r.level !== undefined ? { level: r.level } : {}),
      ...(set.is_child !== undefined ? { isChild: set.is_child === 1 } : {}),
      ...(set.birth_date !== undefined ? { birthDate: set.birth_date as string | null } : {}),
    },
    r.history,
  );
  return {
    ...set,
    consent_level: after.consent_level,
    is_child: after.is_child,
    birth_date: after.birth_date,
    guardian_consent: after.guardian_consent,
  };
}

/**
 * A row's values in column order: what the import sets, else what `base` holds. Built by index
 * rather than by spreading objects: with a million rows, spreads of these variably shaped
 * records cost more than writing them.
 */
function values(cols: q.WriteColumn[], set: Record<string, unknown>, base: Record<string, unknown>): unknown[] {
  const out = new Array<unknown>(cols.length);
  for (let k = 0; k < cols.length; k++) {
    const name = cols[k]!.name;
    const v = set[name] !== undefined ? set[name] : base[name];
    out[k] = v === undefined ? null : v;
  }
  return out;
}

/** A reason for a row the database refused: the driver's error code only, never its message (it can quote values). */
function failure(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return `could not be written (database error${typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? ` ${code}` : ''})`;
}
