import { sql, type Kysely } from 'kysely';
import { chunks } from '../../lib/chunks.ts';
import { bulkInsert, type BulkColumn } from '../../db/bulk.ts';
import type { Dialect } from '../../db/connect.ts';
import type { Db } from '../database.ts';
import type { Database } from '../database.ts';
import type { InteractionStatsTable, InteractionsTable } from './interactions.table.ts';

type Q = Kysely<Database>;

const COLUMNS = ['id', 'contact_id', 'type', 'name', 'ref', 'message_id', 'journey_id', 'page_id', 'url', 'properties', 'at'] as const;
// SQLite binds at most 32,766 parameters per statement.
const MAX_PARAMS = 30_000;
const STATS_PER_UPSERT = Math.floor(MAX_PARAMS / 4);

/** PostgreSQL takes a whole batch as one array per column: one statement to parse and plan, whatever its size. */
const unnest = <R>(rows: R[], names: readonly (keyof R & string)[], types: string[]) =>
  sql.join(names.map((c, k) => sql`${rows.map((r) => r[c])}::${sql.raw(types[k]!)}[]`));

const INSERT_COLUMNS: BulkColumn[] = COLUMNS.map((name) => ({ name, pgType: 'text' }));

export async function insertInteractions(trx: Q, db: Db, rows: InteractionsTable[]): Promise<void> {
  await bulkInsert(
    trx,
    db,
    'interactions',
    INSERT_COLUMNS,
    rows.map((r) => COLUMNS.map((c) => r[c] ?? null)),
  );
}

/** Adds to the anonymous counters (`count = count + excluded.count` upserts on both databases). */
export async function addStats(db: Q, dialect: Dialect, rows: InteractionStatsTable[]): Promise<void> {
  if (rows.length === 0) return;
  if (dialect === 'postgres') {
    await sql`insert into interaction_stats (day, type, ref, count) select * from
      unnest(${unnest(rows, ['day', 'type', 'ref', 'count'], ['text', 'text', 'text', 'bigint'])})
      on conflict (day, type, ref) do update set count = interaction_stats.count + excluded.count`.execute(db);
    return;
  }
  for (const part of chunks(rows, STATS_PER_UPSERT)) {
    await db
      .insertInto('interaction_stats')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['day', 'type', 'ref']).doUpdateSet((eb) => ({ count: eb('interaction_stats.count', '+', eb.ref('excluded.count')) })),
      )
      .execute();
  }
}

export const interactionById = (db: Q, id: string) => db.selectFrom('interactions').selectAll().where('id', '=', id).executeTakeFirst();

/** A contact's interactions, newest first; `after` is the last row of the previous page. */
export function contactInteractions(db: Q, contactId: string, f: { type?: string }, limit: number, after?: { at: string; id: string }) {
  let q = db.selectFrom('interactions').selectAll().where('contact_id', '=', contactId);
  if (f.type !== undefined) q = q.where('type', '=', f.type);
  if (after) q = q.where((eb) => eb.or([eb('at', '<', after.at), eb.and([eb('at', '=', after.at), eb('id', '<', after.id)])]));
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** How many interactions of a contact (of a type) there are: the listing's total, always counted (one contact's rows). */
export async function countContactInteractions(db: Q, contactId: string, f: { type?: string }): Promise<number> {
  let q = db.selectFrom('interactions').where('contact_id', '=', contactId);
  if (f.type !== undefined) q = q.where('type', '=', f.type);
  return Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

export function statsBetween(db: Q, from: string, to: string, f: { type?: string; ref?: string }, limit: number) {
  let q = db.selectFrom('interaction_stats').select(['day', 'type', 'ref', 'count']).where('day', '>=', from).where('day', '<=', to);
  if (f.type !== undefined) q = q.where('type', '=', f.type);
  if (f.ref !== undefined) q = q.where('ref', '=', f.ref);
  return q.orderBy('day').orderBy('type').orderBy('ref').limit(limit).execute();
}
