import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../database.ts';
import type { Dialect } from '../../db/connect.ts';
import type { SegmentsTable } from './segments.table.ts';
import type { ContactsTable } from '../contact-records/module.ts';

type Q = Kysely<Database>;

export const insertSegment = (db: Q, row: SegmentsTable) => db.insertInto('segments').values(row).execute();
export const segmentById = (db: Q, id: string) => db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
export const updateSegment = (db: Q, id: string, set: Partial<SegmentsTable>) =>
  db.updateTable('segments').set(set).where('id', '=', id).execute();
export const deleteSegment = (db: Q, id: string) => db.deleteFrom('segments').where('id', '=', id).executeTakeFirst();

export function listSegments(db: Q, limit: number, after?: string) {
  let q = db.selectFrom('segments').selectAll();
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

/** Contacts matching a compiled predicate over alias `c`. */
export async function countMatching(db: Q, pred: RawBuilder<SqlBool>): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from contacts c where ${pred}`.execute(db);
  return Number(r.rows[0]!.n);
}

export async function matchingPage(db: Q, pred: RawBuilder<SqlBool>, limit: number, after?: string): Promise<ContactsTable[]> {
  const r = await sql<ContactsTable>`select c.* from contacts c where ${pred}
      ${after ? sql`and c.id > ${after}` : sql``} order by c.id limit ${sql.lit(limit)}`.execute(db);
  return r.rows;
}

/**
 * Each predicate's truth value for one contact, in one query (explain, memberships). Compile
 * the predicates for that contact (CompileContext.contact) so subqueries stay small.
 */
export async function truthValues(db: Q, preds: RawBuilder<SqlBool>[], contactId: string): Promise<boolean[] | null> {
  const cols = preds.map((p, i) => sql`case when ${p} then 1 else 0 end as ${sql.id(`v${i}`)}`);
  const r = await sql<Record<string, number>>`select ${sql.join(cols)} from contacts c where c.id = ${contactId}`.execute(db);
  const row = r.rows[0];
  return row ? preds.map((_, i) => Number(row[`v${i}`]) === 1) : null;
}

/**
 * Takes a static segment's members again. On PostgreSQL the matching contacts are first locked
 * (KEY SHARE: they cannot be deleted until the commit, and may still be updated) in id order,
 * the order erasures and imports lock contacts in, before any member row is touched: an erasure
 * deletes its contact's member rows while holding the contact, so taking the member rows first
 * would deadlock with it. Rows deleted meanwhile are skipped by the lock (no foreign-key
 * violation); the insert locks again, for what began to match in between. SQLite has one
 * writer at a time: none of this can happen there.
 */
export async function snapshot(db: Q, dialect: Dialect, segmentId: string, pred: RawBuilder<SqlBool>): Promise<number> {
  const lock = dialect === 'postgres' ? sql`order by c.id for key share of c` : sql``;
  if (dialect === 'postgres') await sql`select count(*) from (select c.id from contacts c where ${pred} ${lock}) locked`.execute(db);
  await db.deleteFrom('segment_members').where('segment_id', '=', segmentId).execute();
  const r =
    await sql`insert into segment_members (segment_id, contact_id) select ${segmentId}, c.id from contacts c where ${pred} ${lock}`.execute(
      db,
    );
  return Number(r.numAffectedRows ?? 0);
}

export async function countSnapshot(db: Q, segmentId: string): Promise<number> {
  const r = await db
    .selectFrom('segment_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('segment_id', '=', segmentId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function snapshotPage(db: Q, segmentId: string, limit: number, after?: string): Promise<ContactsTable[]> {
  const r =
    await sql<ContactsTable>`select c.* from segment_members m join contacts c on c.id = m.contact_id where m.segment_id = ${segmentId}
      ${after ? sql`and c.id > ${after}` : sql``} order by c.id limit ${sql.lit(limit)}`.execute(db);
  return r.rows;
}

export async function inSnapshot(db: Q, segmentId: string, contactId: string): Promise<boolean> {
  return !!(await db
    .selectFrom('segment_members')
    .select('contact_id')
    .where('segment_id', '=', segmentId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst());
}

/** A static segment's members as a predicate over contacts `c`. */
export const inSnapshotSql = (segmentId: string): RawBuilder<SqlBool> =>
  sql<SqlBool>`c.id in (select m.contact_id from segment_members m where m.segment_id = ${segmentId})`;

/** Segments a contact is a member of, for static ones (dynamic ones are evaluated live). */
export const snapshotsOf = (db: Q, contactId: string) =>
  db.selectFrom('segment_members').select('segment_id').where('contact_id', '=', contactId).execute();
