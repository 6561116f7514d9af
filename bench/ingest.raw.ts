// The baseline for ingest.bench.ts: the rows the app would store and the same counter upserts,
// written straight through the drivers in the quickest plain way each offers: on better-sqlite3
// one cached prepared INSERT per row inside the batch's transaction; on pg a COPY of the rows and
// one array-parameter upsert of the counters. It knows who consented from the setup, so it
// skips what the app must do: validate, ask the gate, build statements.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { newId } from '../src/lib/ids.ts';
import { cleanUrl, type EventInput } from '../src/modules/interactions/interactions.model.ts';

type Row = [
  string,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string,
];
type Stat = [string, string, string, number];

const COLS = 'id, contact_id, type, name, ref, message_id, journey_id, page_id, url, properties, at';

/** The bench's events use only the types, fields and already-normalised times the raw path needs to map. */
function build(events: EventInput[], allowed: (contactId: string) => boolean): { rows: Row[]; stats: Stat[] } {
  const rows: Row[] = [];
  const counts = new Map<string, Stat>();
  for (const e of events) {
    const url = e.url === undefined ? null : cleanUrl(e.url);
    const ref = (e.type === 'page_visited' ? e.pageId : e.messageId) ?? url?.base ?? null;
    const at = e.at!;
    const behavioural = e.type === 'email_opened' || e.type === 'email_clicked' || e.type === 'page_visited';
    if (!behavioural || allowed(e.contactId!))
      rows.push([newId(), e.contactId!, e.type, null, ref, e.messageId ?? null, null, e.pageId ?? null, url?.kept ?? null, null, at]);
    const day = at.slice(0, 10);
    const key = `${day}\u0000${e.type}\u0000${ref ?? ''}`;
    const c = counts.get(key);
    if (c) c[3]++;
    else counts.set(key, [day, e.type, ref ?? '', 1]);
  }
  return { rows, stats: [...counts.values()] };
}

export interface RawSqlite {
  ingest(events: EventInput[]): number;
}

export function rawSqlite(db: SQLite.Database, allowed: (contactId: string) => boolean): RawSqlite {
  const insert = db.prepare(`insert into interactions (${COLS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const upsert = db.prepare(
    'insert into interaction_stats (day, type, ref, count) values (?, ?, ?, ?) on conflict (day, type, ref) do update set count = ' +
      'interaction_stats.count + excluded.count',
  );
  const write = db.transaction((rows: Row[], stats: Stat[]) => {
    for (const r of rows) insert.run(r);
    for (const s of stats) upsert.run(s);
  });
  return {
    ingest(events) {
      const { rows, stats } = build(events, allowed);
      write(rows, stats);
      return rows.length;
    },
  };
}

// COPY text format: backslash, tab and line breaks escaped; \N is null.
const copyField = (v: string | null) =>
  v === null ? '\\N' : v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));

export interface RawPg {
  ingest(events: EventInput[]): Promise<number>;
}

export function rawPostgres(client: pg.Client, allowed: (contactId: string) => boolean): RawPg {
  return {
    async ingest(events) {
      const { rows, stats } = build(events, allowed);
      await client.query('begin');
      try {
        const text = rows.map((r) => r.map(copyField).join('\t')).join('\n') + '\n';
        await pipeline(Readable.from([text]), client.query(copyStreams.from(`copy interactions (${COLS}) from stdin`)));
        await client.query(
          `insert into interaction_stats (day, type, ref, count) select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
           on conflict (day, type, ref) do update set count = interaction_stats.count + excluded.count`,
          [stats.map((s) => s[0]), stats.map((s) => s[1]), stats.map((s) => s[2]), stats.map((s) => s[3])],
        );
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        throw e;
      }
      return rows.length;
    },
  };
}
