import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { dialectOf, inList } from '../../db/in-list.ts';
import { chunks } from '../../lib/chunks.ts';
import type { Database } from '../database.ts';
import type { JourneyPositionsTable, JourneyStepsTable, JourneyTasksTable } from './journeys.table.ts';

type Q = Kysely<Database>;

/** Rows per insert: 8 columns each, far under both databases' bound-variable limits. */
const INSERT_CHUNK = 1_000;

/**
 * The status compared as an expression: a query naming a few contacts then looks them up by the
 * primary key, never through the due index by status (SQLite without statistics chose that: a
 * scan of every waiting position of the journey per event).
 */
const byKeyNotStatus = sql<string>`(status || '')`;

/** Statuses of a contact still in the journey (its tile runs, or it waits). */
export const IN_JOURNEY = ['active', 'waiting'] as const;

export const journeyRow = (db: Q, id: string) => db.selectFrom('journeys').selectAll().where('id', '=', id).executeTakeFirst();

/**
 * The journey row read in a run's or an admission's transaction, before any position. On
 * PostgreSQL it is share-locked: a change of the row (a raised requirement, a stop) waits for
 * the runs that read it, and the runs after it read the change; runs share the lock.
 */
export function journeyForWork(trx: Q, id: string) {
  const q = trx.selectFrom('journeys').selectAll().where('id', '=', id);
  return (dialectOf(trx) === 'postgres' ? q.forShare() : q).executeTakeFirst();
}

export const liveJourneys = (db: Q) => db.selectFrom('journeys').selectAll().where('state', '=', 'live').orderBy('id').execute();

/**
 * Up to `limit` due positions of a journey, oldest due first. On PostgreSQL the rows are locked
 * and rows another run holds are skipped, so two workers split the due positions; on SQLite the
 * caller's write transaction is the only writer.
 *
 * Each status is read on its own, in the due index's order (journey, status, due time), so a
 * batch reads about `limit` rows: with both statuses in one IN list and a tie-break on the
 * contact, both databases read every due position of the journey and sorted them for each
 * batch (at 200,000 due: 75 ms a batch on PostgreSQL, sorting to disk because the lock above the
 * sort hides the limit from it; 27 ms on SQLite — a third of the batch's time on each). The two
 * lists are merged by due time and cut to `limit`; on PostgreSQL rows of the second list cut off
 * stay locked until the run commits (the other lane takes the next ones).
 */
export async function duePositions(trx: Q, journeyId: string, nowIso: string, limit: number): Promise<JourneyPositionsTable[]> {
  const pg = dialectOf(trx) === 'postgres';
  const lists: JourneyPositionsTable[][] = [];
  for (const status of IN_JOURNEY) {
    const q = trx
      .selectFrom('journey_positions')
      .selectAll()
      .where('journey_id', '=', journeyId)
      .where('status', '=', status)
      .where('due_at', '<=', nowIso)
      .orderBy('due_at')
      .limit(limit);
    lists.push(await (pg ? q.forUpdate().skipLocked() : q).execute());
  }
  const all = lists.flat();
  if (lists.filter((l) => l.length > 0).length < 2) return all;
  return all.sort((a, b) => (a.due_at! < b.due_at! ? -1 : a.due_at! > b.due_at! ? 1 : 0)).slice(0, limit);
}

/**
 * When the journey's next position is due (null: none is in it): the earliest of each status's
 * first in the due index's order (one IN list read every position of the journey in it).
 */
export async function nextDue(db: Q, journeyId: string): Promise<string | null> {
  let next: string | null = null;
  for (const status of IN_JOURNEY) {
    const r = await db
      .selectFrom('journey_positions')
      .select('due_at')
      .where('journey_id', '=', journeyId)
      .where('status', '=', status)
      .where('due_at', 'is not', null)
      .orderBy('due_at')
      .limit(1)
      .executeTakeFirst();
    if (r?.due_at && (next === null || r.due_at < next)) next = r.due_at;
  }
  return next;
}

/** The positions these contacts hold in the journey (admission reads them in its transaction). */
export async function positionsOf(db: Q, journeyId: string, contactIds: readonly string[]): Promise<JourneyPositionsTable[]> {
  if (contactIds.length === 0) return [];
  const q = db
    .selectFrom('journey_positions')
    .selectAll()
    .where('journey_id', '=', journeyId)
    .where(inList(dialectOf(db), sql.ref('contact_id'), contactIds));
  return dialectOf(db) === 'postgres' ? q.forUpdate().execute() : q.execute();
}

/** Inserts positions; a (journey, contact) that exists already (a concurrent admission) is kept. Returns the contacts inserted. */
export async function insertPositions(db: Q, rows: JourneyPositionsTable[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(rows, INSERT_CHUNK)) {
    const r = await db
      .insertInto('journey_positions')
      .values(part)
      .onConflict((oc) => oc.columns(['journey_id', 'contact_id']).doNothing())
      .returning('contact_id')
      .execute();
    for (const x of r) out.add(x.contact_id);
  }
  return out;
}

/** A position's new state, written only if it is still at `was` (status, entry and visit as read). */
export interface PositionWrite {
  contact_id: string;
  was: { status: string; entry: number; visit: number };
  set: Pick<JourneyPositionsTable, 'entry' | 'status' | 'tile_id' | 'visit' | 'due_at' | 'wait_event' | 'exit_reason' | 'ended_at'> &
    Partial<Pick<JourneyPositionsTable, 'entered_at'>>;
}

/**
 * Writes positions back in one statement per chunk, each conditionally on the status, entry and
 * visit it was read with: a position another run or the events consumer moved meanwhile is
 * left alone. Returns the contacts written.
 */
export async function writePositions(db: Q, journeyId: string, writes: readonly PositionWrite[], nowIso: string): Promise<Set<string>> {
  const out = new Set<string>();
  const pg = dialectOf(db) === 'postgres';
  for (const part of chunks(writes, INSERT_CHUNK)) {
    const data = JSON.stringify(
      part.map((w) => ({
        c: w.contact_id,
        os: w.was.status,
        oe: w.was.entry,
        ov: w.was.visit,
        e: w.set.entry,
        s: w.set.status,
        t: w.set.tile_id,
        v: w.set.visit,
        d: w.set.due_at,
        we: w.set.wait_event,
        x: w.set.exit_reason,
        ea: w.set.ended_at,
        en: w.set.entered_at ?? null,
      })),
    );
    // SQLite: the rows materialized first, so the planner looks each position up by its key
    // (without it, it scanned the journey's positions once per row: 5 s for 500 of 20,000).
    const source = pg
      ? sql`jsonb_to_recordset(${data}::jsonb) as v(c text, os text, oe int, ov int, e int, s text, t text, v int, d text, we text, x
        text, ea text, en text)`
      : sql`v`;
    const rows = pg
      ? sql``
      : sql`with v as materialized (select value ->> 'c' as c, value ->> 'os' as os, value ->> 'oe' as oe, value ->> 'ov' as ov,
              value ->> 'e' as e, value ->> 's' as s, value ->> 't' as t, value ->> 'v' as v, value ->> 'd' as d, value ->> 'we' as we,
              value ->> 'x' as x, value ->> 'ea' as ea, value ->> 'en' as en from json_each(${data})) `;
    const r = await sql<{ contact_id: string }>`${rows}
      update journey_positions set entry = v.e, status = v.s, tile_id = v.t, visit = v.v, due_at = v.d, wait_event = v.we,
        exit_reason = v.x, ended_at = v.ea, entered_at = coalesce(v.en, journey_positions.entered_at), updated_at = ${nowIso}
      from ${source}
      where journey_positions.journey_id = ${journeyId} and journey_positions.contact_id = v.c
        and journey_positions.status = v.os and journey_positions.entry = v.oe and journey_positions.visit = v.ov
      returning journey_positions.contact_id`.execute(db);
    for (const x of r.rows) out.add(x.contact_id);
  }
  return out;
}

export type StepKey = Pick<JourneyStepsTable, 'contact_id' | 'entry' | 'visit'>;

/** Inserts steps; a step recorded already (its key: journey, contact, entry, visit) is kept. Returns the contacts whose step was new. */
export async function insertSteps(db: Q, rows: readonly JourneyStepsTable[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(rows, INSERT_CHUNK)) {
    const r = await db
      .insertInto('journey_steps')
      .values(part)
      .onConflict((oc) => oc.columns(['journey_id', 'contact_id', 'entry', 'visit']).doNothing())
      .returning('contact_id')
      .execute();
    for (const x of r) out.add(x.contact_id);
  }
  return out;
}

/** Steps recorded already under these keys (a run repeated after a position was put back): what they decided. */
export async function stepsAt(db: Q, journeyId: string, keys: readonly StepKey[]): Promise<JourneyStepsTable[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('journey_steps')
    .selectAll()
    .where('journey_id', '=', journeyId)
    .where(inList(dialectOf(db), sql.ref('contact_id'), [...new Set(keys.map((k) => k.contact_id))]))
    .execute();
  const wanted = new Set(keys.map((k) => `${k.contact_id}\u0000${k.entry}\u0000${k.visit}`));
  return rows.filter((r) => wanted.has(`${r.contact_id}\u0000${r.entry}\u0000${r.visit}`));
}

/** Adds to the journey's counters, one upsert for all (tile, counter) pairs, in key order (two runs lock them in one order). */
export async function addCounters(db: Q, journeyId: string, counts: ReadonlyMap<string, number>): Promise<void> {
  const values = [...counts]
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]) => {
      const [tile_id, counter] = k.split('\u0000') as [string, string];
      return { journey_id: journeyId, tile_id, counter, n };
    });
  for (const part of chunks(values, INSERT_CHUNK))
    await db
      .insertInto('journey_counters')
      .values(part)
      .onConflict((oc) => oc.columns(['journey_id', 'tile_id', 'counter']).doUpdateSet({ n: sql<number>`journey_counters.n + excluded.n` }))
      .execute();
}

export async function insertTasks(db: Q, rows: readonly JourneyTasksTable[]): Promise<void> {
  for (const part of chunks(rows, INSERT_CHUNK)) await db.insertInto('journey_tasks').values(part).execute();
}

/** Which of the contacts match a predicate over `contacts c` (a segment's, a condition's filter). */
export async function matching(db: Q, contactIds: readonly string[], pred: RawBuilder<SqlBool>): Promise<Set<string>> {
  if (contactIds.length === 0) return new Set();
  const r = await sql<{ id: string }>`select c.id from contacts c where
    ${inList(dialectOf(db), sql.ref('c.id'), contactIds)} and ${pred}`.execute(db);
  return new Set(r.rows.map((x) => x.id));
}

/**
 * Which of the journey's contacts did an interaction of `type` (and `ref`) since they entered:
 * a condition tile's "did X since entering". Read here, one query for the group, because the
 * interactions module offers no per-contact "since" question and the entry time is the journey's.
 */
export async function didSinceEntering(
  db: Q,
  journeyId: string,
  contactIds: readonly string[],
  did: { type: string; ref?: string },
): Promise<Set<string>> {
  if (contactIds.length === 0) return new Set();
  const ref = did.ref === undefined ? sql`` : sql` and i.ref = ${did.ref}`;
  const r = await sql<{ contact_id: string }>`
    select p.contact_id from journey_positions p
    where p.journey_id = ${journeyId} and ${inList(dialectOf(db), sql.ref('p.contact_id'), contactIds)}
      and exists (select 1 from interactions i where i.contact_id = p.contact_id and i.type = ${did.type}${ref} and i.at >=
        p.entered_at)`.execute(db);
  return new Set(r.rows.map((x) => x.contact_id));
}

/**
 * Ends the stay of contacts still in the journey (`contactIds`, or all), as `status` with
 * `reason`: the positions conditionally (still active or waiting), and returns where each was
 * (for its step and counters). On PostgreSQL a position a run holds is waited for and re-read.
 */
export async function endPositions(
  db: Q,
  journeyId: string,
  opts: { contactIds?: readonly string[]; status: string; reason: string; nowIso: string },
): Promise<Pick<JourneyPositionsTable, 'contact_id' | 'entry' | 'visit' | 'tile_id'>[]> {
  let q = db
    .updateTable('journey_positions')
    .set({ status: opts.status, exit_reason: opts.reason, ended_at: opts.nowIso, due_at: null, wait_event: null, updated_at: opts.nowIso })
    .where('journey_id', '=', journeyId);
  if (opts.contactIds) {
    if (opts.contactIds.length === 0) return [];
    q = q.where(byKeyNotStatus, 'in', [...IN_JOURNEY]).where(inList(dialectOf(db), sql.ref('contact_id'), opts.contactIds));
  } else q = q.where('status', 'in', [...IN_JOURNEY]);
  return q.returning(['contact_id', 'entry', 'visit', 'tile_id']).execute();
}

/**
 * Moves contacts waiting at `tileId` for an event of `event` on to `next` (the event came), due
 * now, conditionally on their still waiting there; returns the positions moved, as they were.
 */
export async function eventArrived(
  db: Q,
  journeyId: string,
  tileId: string,
  event: string,
  next: string,
  contactIds: readonly string[],
  nowIso: string,
): Promise<Pick<JourneyPositionsTable, 'contact_id' | 'entry' | 'visit'>[]> {
  if (contactIds.length === 0) return [];
  const rows = await db
    .updateTable('journey_positions')
    .set({ status: 'active', tile_id: next, visit: sql<number>`visit + 1`, due_at: nowIso, wait_event: null, updated_at: nowIso })
    .where('journey_id', '=', journeyId)
    .where('tile_id', '=', tileId)
    .where(byKeyNotStatus, '=', 'waiting')
    .where('wait_event', '=', event)
    .where(inList(dialectOf(db), sql.ref('contact_id'), contactIds))
    .returning(['contact_id', 'entry', 'visit'])
    .execute();
  // Returned after the update: the step that ended the wait has the visit before it.
  return rows.map((r) => ({ ...r, visit: r.visit - 1 }));
}
