// The residue scan's reader process, started by residue.readers.ts and kept for later scans. It
// reads what the serving process must not: the bytes of the database files (residue.bytes.ts),
// and for a large database the tables as well, on read-only connections of its own. POSIX locks
// belong to a process, so nothing done here can drop the server's; the process keeps its own
// locks intact by closing file descriptors only while it holds no connection (FileBytes).
import process from 'node:process';
import SQLite from 'better-sqlite3';
import { FileBytes } from './residue.bytes.ts';
import { ByteMatcher, type Identifiers } from './residue.model.ts';
import type { FromReader, ToReader } from './residue.readers.ts';
import { TaskRunner, type ScanAnswer } from './residue.tasks.ts';

interface Scan {
  ids: Identifiers;
  runner: TaskRunner;
  conn: SQLite.Database | null;
  bytes: ByteMatcher | null;
}

const scans = new Map<number, Scan>();
const files = new FileBytes();
let connections = 0;

function open(file: string, readonly: boolean): SQLite.Database {
  const c = new SQLite(file, { readonly, fileMustExist: true });
  connections++;
  c.pragma('busy_timeout = 5000');
  return c;
}

function close(c: SQLite.Database): void {
  c.close();
  if (--connections === 0) files.closeAll();
}

const send = (m: FromReader) => process.send!(m);

function begin(m: Extract<ToReader, { type: 'begin' }>): void {
  const scan: Scan = {
    ids: m.ids,
    conn: null,
    bytes: null,
    // Tables are read on a read-only connection opened on first use; a checkpoint needs write
    // access, so it gets a connection of its own for that task alone.
    runner: new TaskRunner(() => (scan.conn ??= open(m.file, true)), m.terms, { open: () => open(m.file, false), release: close }),
  };
  scans.set(m.scan, scan);
}

function end(id: number): void {
  const scan = scans.get(id);
  scans.delete(id);
  if (scan?.conn) close(scan.conn);
  else if (connections === 0) files.closeAll();
}

async function run(m: Extract<ToReader, { type: 'task' }>): Promise<ScanAnswer> {
  const scan = scans.get(m.scan);
  if (!scan) throw new Error('a task for a scan that has not begun');
  if (m.task.kind === 'bytes') return files.matches((scan.bytes ??= new ByteMatcher(scan.ids)), m.task.file, m.task.start, m.task.end);
  return scan.runner.run(m.task);
}

process.on('message', (m: ToReader) => {
  if (m.type === 'begin') begin(m);
  else if (m.type === 'end') end(m.scan);
  else
    run(m).then(
      (answer) => send({ type: 'answer', id: m.id, answer }),
      // The message only: values never leave this process, and SQLite's messages hold none.
      (e: unknown) => send({ type: 'error', id: m.id, error: e instanceof Error ? e.message : String(e) }),
    );
});
// The server went away (exited, crashed or closed the pool): nothing is left to read for.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
