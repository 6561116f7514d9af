import { countOrEstimate } from '../../../db/estimate.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.ts';
import type { TasksTable } from '../dsr.table.ts';
import { RESIDUE_TASK } from './tasks.model.ts';

type Q = Kysely<Database>;

export const insertTask = (db: Q, row: TasksTable) => db.insertInto('tasks').values(row).execute();
export const taskById = (db: Q, id: string) => db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
export const updateTask = (db: Q, id: string, set: Partial<Omit<TasksTable, 'id'>>) =>
  db.updateTable('tasks').set(set).where('id', '=', id).executeTakeFirst();

/** The open tasks of a case follow its deadline and close with it. */
export const updateOpenTasksOfRequest = (db: Q, requestId: string, set: Partial<Omit<TasksTable, 'id'>>) =>
  db.updateTable('tasks').set(set).where('request_id', '=', requestId).where('status', '=', 'open').execute();

export interface TaskFilter {
  status?: string;
  requestId?: string;
  contactId?: string;
  assigneeId?: string;
}

function filteredTasks(db: Q, f: TaskFilter) {
  let q = db.selectFrom('tasks');
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.requestId !== undefined) q = q.where('request_id', '=', f.requestId);
  if (f.contactId !== undefined) q = q.where('contact_id', '=', f.contactId);
  if (f.assigneeId !== undefined) q = q.where('assignee_id', '=', f.assigneeId);
  return q;
}

export function listTasks(db: Q, f: TaskFilter, limit: number, after?: string) {
  let q = filteredTasks(db, f).selectAll();
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

/** The task listing's total (src/db/estimate.ts). */
export function countTasks(db: Q, f: TaskFilter) {
  return countOrEstimate(
    db,
    'tasks',
    Object.values(f).some((v) => v !== undefined),
    async () =>
      Number(
        (
          await filteredTasks(db, f)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
  );
}

/** Residue tasks of a case, counted by status. */
export async function residueTaskCounts(db: Q, requestId: string): Promise<{ status: string; n: number }[]> {
  const rows = await db
    .selectFrom('tasks')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('request_id', '=', requestId)
    .where('type', '=', RESIDUE_TASK.residue)
    .groupBy('status')
    .execute();
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}
