import { countOrEstimate } from '../../../db/estimate.ts';
import { type Kysely, type SqlBool, sql } from 'kysely';
import type { Database } from '../../database.ts';
import type { RequestEventsTable, RequestsTable } from '../dsr.table.ts';
import { FINAL_STATUSES } from './requests.model.ts';

type Q = Kysely<Database>;

export const insertRequest = (db: Q, row: RequestsTable) => db.insertInto('requests').values(row).execute();
export const requestById = (db: Q, id: string) => db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
export const updateRequest = (db: Q, id: string, set: Partial<Omit<RequestsTable, 'id'>>) =>
  db.updateTable('requests').set(set).where('id', '=', id).executeTakeFirst();

/**
 * Moves a case only if it is still in one of `from`: the check and the change are one
 * statement, so two staff members (or a staff member and the requester) cannot both win.
 */
export async function moveRequest(db: Q, id: string, from: readonly string[], set: Partial<Omit<RequestsTable, 'id'>>): Promise<boolean> {
  const r = await db
    .updateTable('requests')
    .set(set)
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const insertEvent = (db: Q, row: RequestEventsTable) => db.insertInto('request_events').values(row).execute();
export const eventsOf = (db: Q, requestId: string) =>
  db.selectFrom('request_events').selectAll().where('request_id', '=', requestId).orderBy('at').orderBy('id').execute();

export interface RequestFilter {
  status?: string;
  type?: string;
  ownerId?: string;
  /** Cases whose keyed hash is one of these, or whose address is written as one of `emails`. */
  emailHmacs?: string[];
  emails?: string[];
  /** Cases not yet completed or rejected (true), or closed ones (false). */
  open?: boolean;
  /** With `today`: open cases past their deadline (true) or not (false). */
  overdue?: boolean;
  /** Open cases whose deadline is on or before this date (overdue ones included). */
  dueBy?: string;
  today: string;
}

function filteredRequests(db: Q, f: RequestFilter) {
  let q = db.selectFrom('requests');
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.type !== undefined) q = q.where('type', '=', f.type);
  if (f.ownerId !== undefined) q = q.where('owner_id', '=', f.ownerId);
  if (f.emailHmacs !== undefined) {
    const hashes = f.emailHmacs;
    const emails = f.emails ?? [];
    q = q.where((eb) => eb.or([eb('email_hmac', 'in', hashes), ...(emails.length ? [eb('email', 'in', emails)] : [])]));
  }
  if (f.open === true) q = q.where('status', 'not in', [...FINAL_STATUSES]);
  if (f.open === false) q = q.where('status', 'in', [...FINAL_STATUSES]);
  if (f.overdue === true) q = q.where('status', 'not in', [...FINAL_STATUSES]).where('deadline', '<', f.today);
  if (f.overdue === false) q = q.where((eb) => eb.or([eb('status', 'in', [...FINAL_STATUSES]), eb('deadline', '>=', f.today)]));
  if (f.dueBy !== undefined) q = q.where('status', 'not in', [...FINAL_STATUSES]).where('deadline', '<=', f.dueBy);
  return q;
}

export function listRequests(db: Q, f: RequestFilter, limit: number, after?: string) {
  let q = filteredRequests(db, f).selectAll();
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

/** The listing's sortable fields and their columns (text both: dates as YYYY-MM-DD, instants as ISO 8601). */
export const REQUEST_SORT_COLUMNS = { deadline: 'deadline', receivedAt: 'received_at' } as const satisfies Record<
  string,
  keyof RequestsTable
>;
export interface RequestSort {
  field: keyof typeof REQUEST_SORT_COLUMNS;
  desc: boolean;
}

/** The listing in (column, id) order, after the cursor's row; each row with its sort value for the next cursor. */
export async function listRequestsSorted(
  db: Q,
  f: RequestFilter,
  s: RequestSort,
  limit: number,
  after?: { key: string | number; id: string },
) {
  const col = REQUEST_SORT_COLUMNS[s.field];
  let q = filteredRequests(db, f).selectAll();
  if (after) {
    const cmp = sql.raw(s.desc ? '<' : '>');
    const key = String(after.key);
    q = q.where(sql<SqlBool>`(${sql.ref(col)} ${cmp} ${key} or (${sql.ref(col)} = ${key} and id ${cmp} ${after.id}))`);
  }
  const dir = s.desc ? 'desc' : 'asc';
  const rows = await q.orderBy(col, dir).orderBy('id', dir).limit(limit).execute();
  return rows.map((row) => ({ row, key: row[col] }));
}

/** The case listing's total (`today` alone is no filter; src/db/estimate.ts). */
export function countRequests(db: Q, f: RequestFilter) {
  const { today: _, ...rest } = f;
  return countOrEstimate(
    db,
    'requests',
    Object.values(rest).some((v) => v !== undefined),
    async () =>
      Number(
        (
          await filteredRequests(db, f)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
  );
}

/** Sets the extension only if none was granted yet (once per case, even under concurrent calls). */
export async function extendRequest(
  db: Q,
  id: string,
  set: Pick<RequestsTable, 'deadline' | 'extended_at' | 'extension_reason' | 'updated_at'>,
): Promise<boolean> {
  const r = await db
    .updateTable('requests')
    .set(set)
    .where('id', '=', id)
    .where('extended_at', 'is', null)
    .where('status', 'not in', [...FINAL_STATUSES])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The oldest open case of this type for the address (by keyed hash): a repeated request joins it. */
export const openCaseFor = (db: Q, emailHmac: string, type: string) =>
  db
    .selectFrom('requests')
    .select(['id', 'status'])
    .where('email_hmac', '=', emailHmac)
    .where('type', '=', type)
    .where('status', 'not in', [...FINAL_STATUSES])
    .orderBy('received_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();

/**
 * Marks a case as asked for again, only while it is open: an erasure closing it meanwhile wins,
 * and the request then opens a case of its own. Returns the status it is in, or null.
 */
export async function touchOpenRequest(db: Q, id: string, now: string): Promise<string | null> {
  const r = await db
    .updateTable('requests')
    .set({ updated_at: now })
    .where('id', '=', id)
    .where('status', 'not in', [...FINAL_STATUSES])
    .returning('status')
    .executeTakeFirst();
  return r?.status ?? null;
}

/**
 * On PostgreSQL, two requests of one type for one address arriving together take turns (until
 * the transaction ends), so the second sees the first's case and joins it. SQLite runs one
 * transaction at a time.
 */
export async function holdIntakeTurn(db: Q, dialect: string, emailHmac: string, type: string): Promise<void> {
  if (dialect === 'postgres')
    await sql`select pg_advisory_xact_lock(hashtextextended(${`dsr-intake:${type}:${emailHmac}`}, 0))`.execute(db);
}
