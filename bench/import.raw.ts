// The baseline for import.bench.ts: the same contact rows written straight through the drivers
// in the quickest plain way each offers, into a fresh database: one cached prepared INSERT per
// row inside transactions of 50,000 on better-sqlite3, COPY FROM STDIN on pg. The rows arrive
// ready (ids made, addresses normalised, no ledger entries): it skips everything the app must
// do, from parsing the file to recording consent.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

/** Values in COLUMNS order. */
export type RawRow = (string | number | null)[];

export const COLUMNS = [
  'id',
  'email',
  'first_name',
  'last_name',
  'phone',
  'company',
  'country',
  'language',
  'birth_date',
  'is_child',
  'guardian_id',
  'guardian_consent',
  'consent_level',
  'created_at',
  'updated_at',
];

const SQLITE_TX_ROWS = 50_000;

export function rawSqlite(db: SQLite.Database, rows: RawRow[]): number {
  const insert = db.prepare(`insert into contacts (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += SQLITE_TX_ROWS) {
    db.transaction(() => {
      for (let k = i; k < Math.min(i + SQLITE_TX_ROWS, rows.length); k++) insert.run(rows[k]!);
    })();
  }
  return performance.now() - t0;
}

// COPY text format: tab-separated, \N for null, backslash escapes for the few characters that need them.
const copyCell = (v: string | number | null) =>
  v === null
    ? '\\N'
    : typeof v === 'number'
      ? String(v)
      : v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));

function* copyText(rows: RawRow[]): Generator<string> {
  for (let i = 0; i < rows.length; i += 10_000) {
    let chunk = '';
    for (let k = i; k < Math.min(i + 10_000, rows.length); k++) chunk += `${rows[k]!.map(copyCell).join('\t')}\n`;
    yield chunk;
  }
}

export async function rawPostgres(client: pg.Client, rows: RawRow[]): Promise<number> {
  const t0 = performance.now();
  await client.query('begin');
  await pipeline(Readable.from(copyText(rows)), client.query(copyStreams.from(`copy contacts (${COLUMNS.join(', ')}) from stdin`)));
  await client.query('commit');
  return performance.now() - t0;
}
