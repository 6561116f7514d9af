import { emailKey } from '../../lib/email.ts';
import { AppError } from '../../lib/errors.ts';
import { printable, unholdable } from '../../lib/text.ts';
import type { CsvItem } from '../../lib/csv.ts';
import type { ChangeContext, ImportedConsent } from '../consent/module.ts';
import { profileColumns } from './contacts.model.ts';
import type { CustomField } from './custom-fields.model.ts';
import { columnOf, readRow, resolveColumns, type Column, type ImportResult, type RejectedRow, type Target } from './import.model.ts';
import * as q from './import.queries.ts';

// Reading and checking an import's lines: pure work on the file's text, done where the import
// runs or in a worker thread beside it (import.check.worker.ts) while batches are written.

export interface ImportOptions {
  /** `col=field,…`: overrides the header's own names; `col=-` ignores a column. */
  map?: string;
  /** Validate and count, write nothing. */
  dryRun?: boolean;
  /** Who imports: recorded on the ledger entries of consent changes. */
  actor: ChangeContext['actor'];
  /**
   * Whether the importer may write the columns that decide consent: the consent level, the
   * child flag and the birth date (the access table's CONTACT_FIELD_ACCESS). Consent changes
   * are the privacy side's: a file with such a column from someone who may only write contacts
   * is refused as a whole, before any row is read. Operators at the CLI may.
   */
  mayChangeConsent: boolean;
  /** Receives rejected lines in line order, with the file's header (for FILE.rejected.csv). */
  onReject?: (row: RejectedRow, header: string[]) => void;
  batchSize?: number;
  /**
   * Read and check the lines in a worker thread while this one writes (import.check.worker.ts).
   * Off by default: measured on this project's shared 2-core machine it was slower (no core
   * is idle for the thread, and the rows it sends back are copied); see CONTEXT.md.
   */
  checkApart?: boolean;
}

/** A row that passed every check, waiting for its batch. */
export interface Valid {
  line: number;
  cells: string[];
  email: string;
  /** The address's match key: rows and stored contacts are matched by it. */
  key: string;
  set: Record<string, unknown>;
  level: number | undefined;
  /** Consent history from another system, recorded with the level's ledger entry. */
  history: ImportedConsent | undefined;
}

export interface Run<O extends CheckOptions = ImportOptions> {
  opts: O;
  header: string[];
  columns: Column[];
  emailColumn: string;
  fields: Map<string, CustomField>;
  today: string;
  /** The import's start (ISO): an original consent time after it is refused. */
  now: string;
  cols: q.WriteColumn[];
  seen: Map<string, number>;
  batch: Valid[];
  /** Rejects since the last batch was handed over: reported with the next one, in line order. */
  pending: RejectedRow[];
  result: ImportResult;
}

/** What reading and checking need of the options: plain data, so a worker thread can be given them. */
export type CheckOptions = Pick<ImportOptions, 'map' | 'dryRun' | 'mayChangeConsent'>;

/** The header decides the columns, or refuses the file as a whole. */
export function startRun<O extends CheckOptions>(item: CsvItem, fields: CustomField[], today: string, now: string, opts: O): Run<O> {
  if (item.kind !== 'record')
    throw new AppError(
      'validation_failed',
      `the first line must name the columns (${item.kind === 'empty' ? 'it is empty' : item.reason})`,
      [{ path: '/header', message: 'unreadable' }],
    );
  // A NUL in the header is most often a UTF-16 file read as UTF-8: refused whole, each such column named.
  const unreadable = item.cells.flatMap((c, i) => {
    const why = unholdable(c);
    return why ? [{ path: `/header/${i}`, message: `column ${i + 1} ("${printable(c.trim()).slice(0, 60)}") ${why}` }] : [];
  });
  if (unreadable.length)
    throw new AppError(
      'validation_failed',
      `the header holds text that cannot be stored: ${unreadable.map((u) => u.message).join('; ')} (is the file UTF-8?)`,
      unreadable,
    );
  const { columns, ignored } = resolveColumns(item.cells, fields, opts.map);
  const deciding = columns.filter((c) => decidesConsent(c.target));
  if (deciding.length && !opts.mayChangeConsent) {
    const names = deciding.map((c) => `"${c.name.slice(0, 60)}"`).join(', ');
    throw new AppError(
      'forbidden',
      `${deciding.length === 1 ? 'column' : 'columns'} ${names} decide consent (the consent level, or a child's flag or birth ` +
        `date), which this role may not change: map each to "-" to ignore it`,
      deciding.map((c) => ({ path: '/header', message: `${c.name.slice(0, 60)}: needs consent write access` })),
    );
  }
  return {
    opts,
    header: item.cells,
    columns,
    emailColumn: columns.find((c) => c.target.kind === 'email')!.name,
    fields: new Map(fields.map((f) => [f.name, f])),
    today,
    now,
    cols: q.writeColumns(fields),
    seen: new Map(),
    batch: [],
    pending: [],
    result: { created: 0, updated: 0, rejected: [], ignoredColumns: ignored, dryRun: opts.dryRun === true },
  };
}

export function takeItem(run: Run<CheckOptions>, item: CsvItem): void {
  if (item.kind === 'empty') rejectRow(run, item.line, 'empty line', []);
  else if (item.kind === 'error') rejectRow(run, item.line, `not readable as CSV: ${item.reason}`, [item.raw]);
  else check(run, item.line, item.cells);
}

/** Every problem of a row at once, naming the columns; only a row without any joins the batch. */
function check(run: Run<CheckOptions>, line: number, cells: string[]): void {
  const row = readRow(cells, run.columns);
  if (row.email === '') return rejectRow(run, line, `${run.emailColumn}: missing`, cells);
  const { set, problems: found } = profileColumns(row.input, run.fields, run.today);
  const problems = found.length ? [...found.map((p) => `${columnOf(p.path, run.columns)}: ${p.message}`), ...row.problems] : row.problems;
  const key = emailKey(set.email as string);
  if (!found.some((p) => p.path === '/email')) {
    // Another spelling of an address is the same address.
    const first = run.seen.get(key);
    if (first !== undefined) problems.unshift(`duplicate email: the file has it on line ${first} already`);
    else run.seen.set(key, line);
  }
  const h = row.history;
  if (h?.at !== undefined && h.at > run.now) problems.push('consent history: its original date is in the future');
  if (problems.length) return rejectRow(run, line, problems.join('; '), cells);
  const history = h?.at !== undefined ? { at: h.at, source: h.source ?? null, notice: h.notice ?? null } : undefined;
  run.batch.push({ line, cells, email: set.email as string, key, set, level: row.level, history });
}

export function rejectRow(run: Run<CheckOptions>, line: number, reason: string, cells: string[], into: RejectedRow[] = run.pending): void {
  const width = run.header.length;
  const shaped = cells.length === width ? cells : [...cells, ...Array(width).fill('')].slice(0, width);
  into.push({ line, reason, cells: shaped });
}

/** Whether a column feeds a field that decides consent. */
function decidesConsent(t: Target): boolean {
  return (
    t.kind === 'consentLevel' ||
    t.kind === 'consentDate' ||
    t.kind === 'consentSource' ||
    t.kind === 'consentNotice' ||
    t.kind === 'isChild' ||
    (t.kind === 'profile' && t.key === 'birthDate')
  );
}
