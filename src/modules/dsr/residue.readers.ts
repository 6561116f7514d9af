import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/connect.ts';
import type { Identifiers, SearchTerms } from './residue.model.ts';
import { TaskRunner, type ScanAnswer, type ScanTask } from './residue.tasks.ts';

/**
 * Where a SQLite residue scan runs its tasks: on the app's own connection, or spread over worker
 * threads, each with a read-only connection of its own, so a large database is read and
 * searched on every core.
 */
export interface ScanReaders {
  readonly width: number;
  run(task: ScanTask): Promise<ScanAnswer>;
  close(): Promise<void>;
}

export function inProcess(db: Db, ids: Identifiers, terms: SearchTerms): ScanReaders {
  const runner = new TaskRunner(db.sqlite!, ids, terms);
  return { width: 1, run: (task) => runner.run(task), close: async () => undefined };
}

// The worker is TypeScript: it registers tsx's loader itself (a worker does not inherit the
// loader `bin/assent.js` registers), then loads residue.worker.ts.
const TSX_API = import.meta.resolve('tsx/esm/api');
const WORKER_MODULE = new URL('./residue.worker.ts', import.meta.url).href;
const BOOT = `(async () => {
  const { register } = await import(${JSON.stringify(TSX_API)});
  register();
  await import(${JSON.stringify(WORKER_MODULE)});
})();`;

/** `width` worker threads, each with its own read-only connection to the database file. */
export async function inWorkers(db: Db, width: number, ids: Identifiers, terms: SearchTerms): Promise<ScanReaders> {
  type Waiting = { resolve: (a: ScanAnswer) => void; reject: (e: Error) => void };
  const idle: Worker[] = [];
  const queue: { task: ScanTask; w: Waiting }[] = [];
  const waiting = new Map<number, Waiting>();
  let next = 0;
  let failed: Error | null = null;
  let closing = false;
  const dispatch = () => {
    while (idle.length && queue.length) {
      const worker = idle.pop()!;
      const { task, w } = queue.shift()!;
      const id = next++;
      waiting.set(id, w);
      worker.postMessage({ id, task });
    }
  };
  const fail = (e: Error) => {
    failed ??= e;
    for (const w of [...waiting.values(), ...queue.map((q) => q.w)]) w.reject(failed);
    waiting.clear();
    queue.length = 0;
  };
  const workers = await Promise.all(
    Array.from(
      { length: width },
      () =>
        new Promise<{ worker: Worker; exited: Promise<unknown> }>((resolve, reject) => {
          const worker = new Worker(BOOT, { eval: true, execArgv: [], workerData: { file: db.target.location, ids, terms } });
          const exited = new Promise((done) => worker.once('exit', done));
          worker.once('error', reject);
          worker.on('message', (m: { ready?: true; id?: number; answer?: ScanAnswer; error?: string }) => {
            if (m.ready) {
              worker.off('error', reject);
              worker.on('error', fail);
              worker.once('exit', () => closing || fail(new Error('a residue scan worker exited')));
              idle.push(worker);
              resolve({ worker, exited });
              return;
            }
            const w = waiting.get(m.id!);
            waiting.delete(m.id!);
            if (m.error !== undefined) w?.reject(new Error(m.error));
            else w?.resolve(m.answer!);
            idle.push(worker);
            dispatch();
          });
        }),
    ),
  );
  return {
    width,
    run: (task) =>
      new Promise((resolve, reject) => {
        if (failed) return reject(failed);
        queue.push({ task, w: { resolve, reject } });
        dispatch();
      }),
    close: async () => {
      closing = true;
      for (const { worker } of workers) worker.postMessage({ close: true });
      await Promise.all(workers.map((w) => w.exited));
    },
  };
}

/**
 * Runs the tasks with every reader busy, handing each answer to `each` as it arrives; a task
 * whose question is already answered (`skip`) is not run.
 */
export async function runAll<T>(readers: ScanReaders, tasks: { task: ScanTask; tag: T }[], each: (answer: ScanAnswer, tag: T) => void, skip: (tag: T) => boolean = () => false): Promise<void> {
  let i = 0;
  const lane = async () => {
    while (i < tasks.length) {
      const t = tasks[i++]!;
      if (!skip(t.tag)) each(await readers.run(t.task), t.tag);
    }
  };
  await Promise.all(Array.from({ length: Math.min(readers.width + 1, tasks.length) }, lane));
}
