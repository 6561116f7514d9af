import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database.ts';
import { FINAL_STATUSES } from './requests.model.ts';

/** Open cases, those due on or before `dueBy` (overdue ones included), and those past `today`: one read. */
export async function countOpenRequests(
  db: Kysely<Database>,
  today: string,
  dueBy: string,
): Promise<{ open: number; dueSoon: number; overdue: number }> {
  const r = await db
    .selectFrom('requests')
    .where('status', 'not in', [...FINAL_STATUSES])
    .select((eb) => [
      eb.fn.countAll<number>().as('open'),
      sql<number>`coalesce(sum(case when ${eb.ref('deadline')} <= ${dueBy} then 1 else 0 end), 0)`.as('due_soon'),
      sql<number>`coalesce(sum(case when ${eb.ref('deadline')} < ${today} then 1 else 0 end), 0)`.as('overdue'),
    ])
    .executeTakeFirstOrThrow();
  return { open: Number(r.open), dueSoon: Number(r.due_soon), overdue: Number(r.overdue) };
}
