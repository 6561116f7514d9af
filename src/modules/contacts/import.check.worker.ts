// A worker thread that reads and checks an import's lines while the importing thread writes the
// batches it sends (issue 12 point 10: on SQLite a write holds the thread, so checking the next
// batch on the same thread cannot overlap it). It holds no database and no personal data beyond
// the text it is given; it ends with the import.
import { parentPort, workerData } from 'node:worker_threads';
import { CsvReader, fromCsvCell, type CsvItem } from '../../lib/csv.ts';
import { AppError } from '../../lib/errors.ts';
import { startRun, takeItem, type CheckOptions, type Run } from './import.check.ts';
import type { CheckerInput, FromChecker, ToChecker } from './import.check.protocol.ts';

/** Batches sent that the importing thread has not taken yet: how far ahead checking may run. */
const AHEAD = 2;

const input = workerData as CheckerInput;
const port = parentPort!;
const send = (m: FromChecker) => port.postMessage(m);

const texts: (string | null)[] = [];
let taken = 0;
let sent = 0;
let wake: (() => void) | null = null;
port.on('message', (m: ToChecker) => {
  if (m.kind === 'taken') taken++;
  else texts.push(m.kind === 'text' ? m.text : null);
  const w = wake;
  wake = null;
  w?.();
});
const message = () => new Promise<void>((resolve) => (wake = resolve));

async function check(): Promise<void> {
  const reader = new CsvReader();
  let run: Run<CheckOptions> | null = null;
  const hand = async (r: Run<CheckOptions>) => {
    send({ kind: 'batch', rows: r.batch, rejects: r.pending });
    r.batch = [];
    r.pending = [];
    sent++;
    while (sent - taken >= AHEAD) await message();
  };
  const take = async (items: CsvItem[]) => {
    for (const item of items) {
      if (item.kind === 'record') for (let k = 0; k < item.cells.length; k++) item.cells[k] = fromCsvCell(item.cells[k]!);
      if (!run) {
        run = startRun(item, input.fields, input.today, input.now, input.opts);
        send({ kind: 'header', cells: run.header });
        continue;
      }
      takeItem(run, item);
      if (run.batch.length >= input.size) await hand(run);
    }
  };
  for (;;) {
    while (texts.length === 0) await message();
    const text = texts.shift()!;
    if (text === null) break;
    await take(reader.push(text));
    send({ kind: 'read' });
  }
  await take(reader.end());
  if (run) await hand(run);
  send({ kind: 'end' });
}

check().catch((e: unknown) =>
  send(
    e instanceof AppError
      ? { kind: 'refused', code: e.code, message: e.message, details: e.details }
      : { kind: 'failed', message: e instanceof Error ? e.message : String(e) },
  ),
);
