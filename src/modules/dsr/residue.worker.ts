// A worker thread of the residue scan (residue.readers.ts): its own read-only connection to the
// SQLite file (write-ahead logging lets it read beside the app's), running the tasks it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import type { Identifiers, SearchTerms } from './residue.model.ts';
import { TaskRunner, type ScanTask } from './residue.tasks.ts';

const { file, ids, terms } = workerData as { file: string; ids: Identifiers; terms: SearchTerms };
const db = new SQLite(file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
// Checkpointing needs write access: a connection of its own, opened for that task alone.
const runner = new TaskRunner(db, ids, terms, {
  open: () => new SQLite(file, { fileMustExist: true }),
  release: (c) => c.close(),
});
const port = parentPort!;

port.on('message', (m: { id: number; task: ScanTask } | { close: true }) => {
  if ('close' in m) {
    db.close();
    port.close();
    return;
  }
  runner.run(m.task).then(
    (answer) => port.postMessage({ id: m.id, answer }),
    (e: unknown) => port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
port.postMessage({ ready: true });
