import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { inParallel } from '../../../lib/parallel.ts';
import type { Db } from '../../database.ts';
import {
  ByteMatcher,
  isEmpty,
  passes,
  searchTerms,
  TERMS_PER_PASS,
  TextMatcher,
  valueHolds,
  type Identifiers,
  type SearchTerms,
} from './residue.model.ts';
import type { DataMap } from '../../datamap/module.ts';
import { CONTACT_REF } from '../erasure/erasure.model.ts';
import { PostgresResidueQueries } from './residue.postgres.queries.ts';
import { namesContactIds, ROWS_PER_CHUNK, type ScannedColumn } from './residue.queries.ts';
import { SqliteResidueQueries } from './residue.sqlite.queries.ts';
import { inProcess, ReaderPool, runAll, type ScanReaders } from './residue.readers.ts';
import type { ScanAnswer, ScanTask } from './residue.tasks.ts';

/** Tables PostgreSQL scans at once: the large ones use parallel workers of their own. */
const PG_TABLES_AT_ONCE = 3;
/** Rowids per statement when SQLite tables are scanned in parts (so several readers share a large table). */
const ROWIDS_PER_PART = 500_000;
/** Bytes of a database file per task. */
const FILE_PART = 128 * 1024 * 1024;

export interface ScanOptions {
  /**
   * SQLite: first copy the write-ahead log into the database file and empty it (an erasure's
   * changes are in the log until then, and the log holds the old pages): the tables are read
   * meanwhile, the files' bytes once it is done. A log that cannot be emptied (a reader in
   * another process holds it) is reported as `checkpoint:busy`, and the log's bytes are searched.
   */
  checkpoint?: boolean;
  onCheckpoint?: (ms: number) => void;
}

export interface ScannerOptions {
  /** SQLite: reader processes for a large database file (1 or less: the app's connection reads the tables). */
  readers?: number;
  /** SQLite: the file size from which the tables are read by reader processes. */
  parallelFromBytes?: number;
  /** SQLite: how long reader processes are kept after a scan for the next one. */
  readerIdleMs?: number;
  /** SQLite: how long a checkpoint waits for readers (other processes', or the scan's own statements) to let go of the log. */
  checkpointPatienceMs?: number;
  /** The data map: which columns hold contact ids, and which are free text, for the erased contacts' ids. */
  declared?: () => Promise<DataMap>;
}

/** Columns the data map declares as holding a contact's id (besides the subject links by contact). */
const CONTACT_ID_CATEGORIES = new Set([CONTACT_REF, 'contact.minor.guardian']);

/** Reader processes kept after a scan: erasures come in runs (a queue of cases, a bulk job), and a start costs far more than a scan. */
const READER_IDLE_MS = 10 * 60_000;

/**
 * Looks for people's identifiers everywhere the database keeps data, declared in the data map
 * or not: every column that can hold text of every table in the live catalogue, the database's
 * own statistics, and on SQLite the bytes of the database files (free pages, write-ahead log).
 * Hits name where (`table.column`, `sqlite_stat4.sample`, `pg_stats:table.column`,
 * `file:NAME`), never what.
 *
 * Each table is read once, whatever the number of people. For a few people (up to
 * TERMS_PER_PASS terms) one statement per table tests every row; for more (a bulk erasure) the
 * rows are streamed through a matcher in memory that finds all terms in one pass. Only a table
 * where something turned up is read again, to name its columns. On SQLite the tables (in rowid
 * parts) and the file's bytes (in ranges) are tasks: the bytes are read by a reader process
 * (residue.readers.ts: this process never opens its database's files), and for a large file
 * the tables too, by several processes, each with its own read-only connection. PostgreSQL
 * scans several tables at once.
 */
export class ResidueScanner {
  private readonly readers: number;
  private readonly parallelFromBytes: number;
  private readonly checkpointPatienceMs: number;
  private readonly pool: ReaderPool;
  private readonly declared: (() => Promise<DataMap>) | null;
  /** The dialect's queries, behind one interface (residue.queries.ts). */
  private readonly q: SqliteResidueQueries | PostgresResidueQueries;

  constructor(
    private readonly db: Db,
    opts: ScannerOptions = {},
  ) {
    this.declared = opts.declared ?? null;
    this.q = db.dialect === 'sqlite' ? new SqliteResidueQueries(db) : new PostgresResidueQueries(db);
    this.readers = opts.readers ?? Math.min(4, availableParallelism());
    this.parallelFromBytes = opts.parallelFromBytes ?? 256 * 1024 * 1024;
    this.checkpointPatienceMs = opts.checkpointPatienceMs ?? 5000;
    this.pool = new ReaderPool(opts.readerIdleMs ?? READER_IDLE_MS);
  }

  private get onFile(): boolean {
    return this.db.dialect === 'sqlite' && this.db.target.location !== ':memory:';
  }

  /** SQLite: starts the reader processes a scan will need, so that their start overlaps the erasure before it. */
  warm(): void {
    if (this.onFile) this.pool.warm(this.parallel() ? this.readers : 1);
  }

  /** Stops the reader processes (they stop by themselves when idle, or when this process exits). */
  close(): Promise<void> {
    return this.pool.close();
  }

  private parallel(): boolean {
    return this.onFile && this.readers > 1 && fileBytes(this.db.target.location) >= this.parallelFromBytes;
  }

  async scanDatabase(ids: Identifiers, opts: ScanOptions = {}): Promise<string[]> {
    const byId = ids.contactIds?.length ? await this.contactIdHits(ids.contactIds) : [];
    return [...new Set([...byId, ...(await this.termHits(ids, opts))])].sort();
  }

  /**
   * Where the erased contacts' ids are still kept: every column that holds contact ids (named
   * so in the live catalogue, declared tables or not, or declared so in the data map) compared
   * whole, and every free-text column of the map searched for them. A row written about a
   * person after the erasure (a ledger entry, with its evidence) names them so.
   */
  private async contactIdHits(contactIds: string[]): Promise<string[]> {
    const live = await this.q.liveColumnTypes();
    const at = new Map(live.map((c) => [`${c.table}.${c.column}`, c]));
    const idColumns = new Set(live.filter((c) => namesContactIds(c.column)).map((c) => `${c.table}.${c.column}`));
    const textColumns = new Set<string>();
    const map = this.declared ? await this.declared() : null;
    for (const t of map?.tables ?? []) {
      if (t.subjectLink && t.subjectLink.kind !== 'email') idColumns.add(`${t.name}.${t.subjectLink.column}`);
      for (const c of t.columns) {
        if (CONTACT_ID_CATEGORIES.has(c.category)) idColumns.add(`${t.name}.${c.name}`);
        if (c.freeText) textColumns.add(`${t.name}.${c.name}`);
      }
    }
    const hits: string[] = [];
    for (const location of idColumns) {
      const c = at.get(location);
      if (c && (await this.q.columnHoldsIds(c.table, c.column, c.cast, contactIds))) hits.push(location);
    }
    for (const location of textColumns) {
      const c = at.get(location);
      if (c && !idColumns.has(location) && (await this.q.textHoldsIds(c.table, c.column, contactIds))) hits.push(location);
    }
    return hits;
  }

  private async termHits(ids: Identifiers, opts: ScanOptions): Promise<string[]> {
    const terms = searchTerms(ids);
    if (isEmpty(terms)) {
      if (opts.checkpoint && this.onFile) return (await this.checkpointed(opts, inProcess(this.db, terms))) ? [] : ['checkpoint:busy'];
      return [];
    }
    const many = terms.text.length + terms.digits.length > TERMS_PER_PASS;
    const tables = [...(await this.q.scannedColumns())];
    const found = new Map<string, SearchTerms>();
    const hits = new Set<string>();
    const q = this.q;
    if (q.dialect === 'sqlite') {
      await this.sqliteScan(q, tables, ids, terms, many, found, hits, opts);
      const bytes = new ByteMatcher(ids);
      for (const r of await q.systemRows()) if (bytes.matches(r.value)) hits.add(`${r.table}.${r.column}`);
    } else {
      const matcher = many ? new TextMatcher(terms) : null;
      await inParallel(tables, PG_TABLES_AT_ONCE, async ([table, columns]) => {
        const f = matcher
          ? await this.termsIn(table, columns, matcher, terms)
          : (await q.tableHasTerms(table, columns, terms))
            ? terms
            : null;
        if (f) found.set(table, f);
      });
      for (const r of await statsWithTerms(q, terms)) hits.add(`pg_stats:${r.table}.${r.column}`);
    }
    const columnsOf = new Map(tables);
    for (const [table, f] of found)
      for (const pass of passes(f))
        for (const column of await q.columnsWithTerms(table, columnsOf.get(table)!, pass)) hits.add(`${table}.${column}`);
    return [...hits].sort();
  }

  /**
   * SQLite: every table (in rowid parts, so readers share a large one) and the bytes of the
   * database files (in ranges), as tasks: the bytes for a reader process, the tables for the
   * app's connection, or for reader processes when the file is large.
   */
  private async sqliteScan(
    q: SqliteResidueQueries,
    tables: [string, ScannedColumn[]][],
    ids: Identifiers,
    terms: SearchTerms,
    many: boolean,
    found: Map<string, SearchTerms>,
    hits: Set<string>,
    opts: ScanOptions,
  ): Promise<void> {
    type Tag = { table: string } | { file: string };
    const tasks: { task: ScanTask; tag: Tag }[] = [];
    const seen = new Map<string, Set<string>>();
    // Only a table without a rowid is matched here, on the app's connection; the readers build their own.
    let matcher: TextMatcher | null = null;
    for (const [table, columns] of tables) {
      const range = await q.rowidRange(table, columns);
      if (range === null) continue;
      if (!many) {
        for (const part of range ? parts(range, ROWIDS_PER_PART) : [undefined])
          tasks.push({ task: { kind: 'test', s: q.hasTermsStatement(table, columns, terms, part) }, tag: { table } });
        continue;
      }
      const into = new Set<string>();
      seen.set(table, into);
      if (range === undefined) await q.tableText(table, columns, (chunk) => (matcher ??= new TextMatcher(terms)).scan(chunk, into));
      else
        for (const part of parts(range, ROWS_PER_CHUNK))
          tasks.push({ task: { kind: 'text', s: q.textStatement(table, columns, part) }, tag: { table } });
    }
    const path = this.db.target.location;
    const onFile = this.onFile;
    const parallel = this.parallel();
    // The reader processes get ready (a first start takes a while) as the app's connection reads.
    const session = onFile ? this.pool.session(path, ids, terms, parallel ? this.readers : 1) : null;
    const readers = parallel ? (await session)! : inProcess(this.db, terms);
    const each = (answer: ScanAnswer, tag: Tag) => {
      if ('file' in tag) {
        if (answer === true) hits.add(`file:${basename(tag.file)}`);
      } else if (answer === true) found.set(tag.table, terms);
      else if (Array.isArray(answer)) for (const t of answer) seen.get(tag.table)!.add(t);
    };
    // A table that showed a term (few terms) or a file that showed a form needs no more reading.
    const skip = (tag: Tag) => ('file' in tag ? hits.has(`file:${basename(tag.file)}`) : !many && found.has(tag.table));
    // The files' bytes are read once the log is in the file (and the file's size is known);
    // meanwhile the readers read the tables, which the checkpoint does not change.
    const files = async () => {
      if (opts.checkpoint && onFile && !(await this.checkpointed(opts, readers))) hits.add('checkpoint:busy');
      if (session) await runAll(await session, fileTasks(path), each, skip);
    };
    try {
      // files() first: the checkpoint is queued before the first table parts.
      await Promise.all([files(), runAll(readers, tasks, each, skip)]);
    } finally {
      await (await session?.catch(() => null))?.close();
    }
    for (const [table, into] of seen)
      if (into.size) found.set(table, { text: terms.text.filter((t) => into.has(t)), digits: terms.digits.filter((d) => into.has(d)) });
  }

  /** SQLite: empties the write-ahead log into the file, on a reader process's own connection or the app's connection. */
  private async checkpointed(opts: ScanOptions, readers: ScanReaders): Promise<boolean> {
    const answer = (await readers.run({ kind: 'checkpoint', patienceMs: this.checkpointPatienceMs })) as {
      checkpointed: boolean;
      ms: number;
    };
    opts.onCheckpoint?.(answer.ms);
    return answer.checkpointed;
  }

  /** PostgreSQL, many terms: the terms a table holds, found by streaming its rows through the matcher. */
  private async termsIn(table: string, columns: ScannedColumn[], matcher: TextMatcher, terms: SearchTerms): Promise<SearchTerms | null> {
    const into = new Set<string>();
    await this.q.tableText(table, columns, (chunk) => matcher.scan(chunk, into));
    if (into.size === 0) return null;
    return { text: terms.text.filter((t) => into.has(t)), digits: terms.digits.filter((d) => into.has(d)) };
  }
}

function fileBytes(path: string): number {
  return [path, `${path}-wal`, `${path}-journal`].reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
}

/** The database file, its log and its journal, in ranges a reader takes one at a time. */
function fileTasks(path: string): { task: ScanTask; tag: { file: string } }[] {
  const out: { task: ScanTask; tag: { file: string } }[] = [];
  for (const file of [path, `${path}-wal`, `${path}-journal`]) {
    const bytes = existsSync(file) ? statSync(file).size : 0;
    for (let start = 0; start < bytes; start += FILE_PART)
      out.push({ task: { kind: 'bytes', file, start, end: Math.min(bytes, start + FILE_PART) }, tag: { file } });
  }
  return out;
}

function parts(range: { lo: number; hi: number }, size: number): { lo: number; hi: number }[] {
  const out: { lo: number; hi: number }[] = [];
  for (let lo = range.lo; lo <= range.hi; lo += size) out.push({ lo, hi: Math.min(range.hi, lo + size - 1) });
  return out;
}

/**
 * PostgreSQL: the statistics columns whose sample values hold a term. The values are few, so
 * they are matched in memory, and each candidate is confirmed with the scan's exact test.
 */
export function pgStatsWithTerms(db: Db, terms: SearchTerms): Promise<{ table: string; column: string }[]> {
  return statsWithTerms(new PostgresResidueQueries(db), terms);
}

async function statsWithTerms(q: PostgresResidueQueries, terms: SearchTerms): Promise<{ table: string; column: string }[]> {
  if (isEmpty(terms)) return [];
  const matcher = new TextMatcher(terms);
  const out: { table: string; column: string }[] = [];
  for (const r of await q.statsValues()) {
    const found = new Set<string>();
    matcher.scan(r.values, found);
    if (
      found.size &&
      valueHolds(r.values, { text: terms.text.filter((t) => found.has(t)), digits: terms.digits.filter((d) => found.has(d)) }).length
    )
      out.push({ table: r.table, column: r.column });
  }
  return out.sort((a, b) => (a.table === b.table ? (a.column < b.column ? -1 : 1) : a.table < b.table ? -1 : 1));
}
