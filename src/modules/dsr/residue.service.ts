import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Db } from '../../db/connect.ts';
import { liveColumns } from '../../db/introspect.ts';
import { ByteMatcher, isEmpty, passes, searchTerms, type Identifiers } from './residue.model.ts';
import { columnsWithTerms, pgStatsWithTerms, sqliteSystemRows } from './residue.queries.ts';

const CHUNK = 16 * 1024 * 1024;

/**
 * Looks for a person's identifiers everywhere the database keeps data, declared in the data
 * map or not: every column of every table in the live catalogue, the database's own
 * statistics, and on SQLite the bytes of the database files (free pages, write-ahead log).
 * Hits name where (`table.column`, `sqlite_stat4.sample`, `pg_stats:table.column`,
 * `file:NAME`), never what.
 */
export class ResidueScanner {
  constructor(private readonly db: Db) {}

  async scanDatabase(ids: Identifiers): Promise<string[]> {
    const terms = searchTerms(ids);
    if (isEmpty(terms)) return [];
    const hits = new Set<string>();
    const tables = new Map<string, string[]>();
    for (const c of await liveColumns(this.db)) tables.set(c.table, [...(tables.get(c.table) ?? []), c.column]);
    for (const [table, columns] of tables) {
      for (const pass of passes(terms)) for (const column of await columnsWithTerms(this.db, table, columns, pass)) hits.add(`${table}.${column}`);
    }
    if (this.db.dialect === 'sqlite') {
      const matcher = new ByteMatcher(ids);
      for (const r of await sqliteSystemRows(this.db)) if (matcher.matches(r.value)) hits.add(`${r.table}.${r.column}`);
      for (const f of await this.scanFiles(ids)) hits.add(f);
    } else {
      for (const pass of passes(terms)) for (const r of await pgStatsWithTerms(this.db, pass)) hits.add(`pg_stats:${r.table}.${r.column}`);
    }
    return [...hits].sort();
  }

  /** SQLite only: the database file and its journals, read as bytes. */
  async scanFiles(ids: Identifiers): Promise<string[]> {
    const path = this.db.target.location;
    if (this.db.dialect !== 'sqlite' || path === ':memory:') return [];
    const matcher = new ByteMatcher(ids);
    if (matcher.empty) return [];
    const hits: string[] = [];
    for (const file of [path, `${path}-wal`, `${path}-journal`]) {
      if (existsSync(file) && (await fileContains(file, matcher))) hits.push(`file:${basename(file)}`);
    }
    return hits;
  }
}

async function fileContains(file: string, matcher: ByteMatcher): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK + matcher.overlap);
    let carry = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, carry, CHUNK, null);
      if (bytesRead === 0) return false;
      const end = carry + bytesRead;
      if (matcher.matches(buf.subarray(0, end))) return true;
      // The tail is searched again with the next chunk, so a term across the border is found.
      carry = Math.min(matcher.overlap, end);
      buf.copy(buf, 0, end - carry, end);
    }
  } finally {
    await fh.close();
  }
}
