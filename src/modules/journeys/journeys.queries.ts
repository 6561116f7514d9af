import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { JourneysTable, JourneyTasksTable } from './journeys.table.ts';

type Q = Kysely<Database>;

/** Positions still in the journey: the ones a live edit must keep valid, and the "in journey" counts. */
export const IN_JOURNEY = ['active', 'waiting'] as const;

export const insertJourney = (db: Q, row: JourneysTable) => db.insertInto('journeys').values(row).execute();
export const journeyById = (db: Q, id: string) => db.selectFrom('journeys').selectAll().where('id', '=', id).executeTakeFirst();

/** Journeys in the order they were made (ids are time-ordered), after the cursor. */
export const listJourneys = (db: Q, limit: number, after?: string) => {
  let q = db.selectFrom('journeys').selectAll();
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
};

export async function countJourneys(db: Q): Promise<number> {
  const r = await db
    .selectFrom('journeys')
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * Writes the row only if it is still as it was read (its state and version): a change that
 * lost a race writes nothing, and the caller reads again. True when it wrote.
 */
export async function updateJourneyIf(
  db: Q,
  id: string,
  was: { state: string; version: number },
  set: Partial<Omit<JourneysTable, 'id' | 'created_at'>>,
): Promise<boolean> {
  const r = await db
    .updateTable('journeys')
    .set(set)
    .where('id', '=', id)
    .where('state', '=', was.state)
    .where('version', '=', was.version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Deletes a journey only in one of the states given; its positions, steps, counters and tasks go with it (foreign keys). */
export async function deleteJourneyIn(db: Q, id: string, states: readonly string[]): Promise<boolean> {
  const r = await db.deleteFrom('journeys').where('id', '=', id).where('state', 'in', states).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Contacts in the journey now, per tile: what a live edit must keep. */
export async function holdersByTile(db: Q, journeyId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('journey_positions')
    .select(['tile_id', (e) => e.fn.countAll<number>().as('n')])
    .where('journey_id', '=', journeyId)
    .where('status', 'in', IN_JOURNEY)
    .groupBy('tile_id')
    .execute();
  return new Map(rows.map((r) => [r.tile_id, Number(r.n)]));
}

// ---- tasks ------------------------------------------------------------------------------

export type TaskRow = JourneyTasksTable & { journey_name: string | null };

type TaskFilter = { role: string | null; userId: string | null; status?: string };

/** The tasks a caller sees: its role's and those assigned to it; `role` null for all (the admin's view). */
const visibleTo = (f: TaskFilter) => (eb: ExpressionBuilder<{ t: JourneyTasksTable }, 't'>) =>
  f.userId === null
    ? eb('t.assignee_role', '=', f.role!)
    : eb.or([eb('t.assignee_role', '=', f.role!), eb('t.assignee_user_id', '=', f.userId)]);

/** Whether a task is one the caller sees (as `visibleTo` selects). */
export const taskVisible = (r: JourneyTasksTable, f: { role: string | null; userId: string | null }): boolean =>
  f.role === null || r.assignee_role === f.role || (f.userId !== null && r.assignee_user_id === f.userId);

/** Tasks, oldest first after the cursor; a task no journey made has no journey name. */
export const listTasks = (db: Q, f: TaskFilter, limit: number, after?: string) => {
  let q = db
    .selectFrom('journey_tasks as t')
    .leftJoin('journeys as j', 'j.id', 't.journey_id')
    .selectAll('t')
    .select('j.name as journey_name');
  if (f.role !== null) q = q.where(visibleTo(f));
  if (f.status) q = q.where('t.status', '=', f.status);
  if (after) q = q.where('t.id', '>', after);
  return q.orderBy('t.id').limit(limit).execute() as Promise<TaskRow[]>;
};

export async function countTasks(db: Q, f: TaskFilter): Promise<number> {
  let q = db.selectFrom('journey_tasks as t').select((e) => e.fn.countAll<number>().as('n'));
  if (f.role !== null) q = q.where(visibleTo(f));
  if (f.status) q = q.where('t.status', '=', f.status);
  return Number((await q.executeTakeFirst())?.n ?? 0);
}

export const taskById = (db: Q, id: string) =>
  db
    .selectFrom('journey_tasks as t')
    .leftJoin('journeys as j', 'j.id', 't.journey_id')
    .selectAll('t')
    .select('j.name as journey_name')
    .where('t.id', '=', id)
    .executeTakeFirst() as Promise<TaskRow | undefined>;

/** Inserts a task unless one with its `source_key` exists (the unique index decides, so two at once make one). */
export async function insertTaskOnce(db: Q, row: JourneyTasksTable): Promise<boolean> {
  const r = await db
    .insertInto('journey_tasks')
    .values(row)
    .onConflict((oc) => oc.column('source_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

export const setTaskStatus = (db: Q, id: string, status: string, doneAt: string | null) =>
  db.updateTable('journey_tasks').set({ status, done_at: doneAt }).where('id', '=', id).execute();
