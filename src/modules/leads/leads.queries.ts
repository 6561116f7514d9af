import { sql, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import { countOrEstimate } from '../../db/estimate.ts';
import { dialectOf } from '../../db/in-list.ts';
import { foldSql } from '../../db/text-fold.ts';
import { COLUMN_TYPES, type FieldType } from '../contacts/module.ts';
import type { Database } from '../database.ts';
import type { LeadRow } from './leads.model.ts';
import type { LeadFieldsTable } from './leads.table.ts';

type Q = Kysely<Database>;

export interface LeadFilter {
  contactId?: string;
  status?: string;
  ownerId?: string;
  /** Found in the title, without regard to case or Latin accents (src/db/text-fold.ts). */
  q?: string;
}

const joined = (db: Q) => db.selectFrom('leads').innerJoin('contacts', 'contacts.id', 'leads.contact_id');
// leads.* carries the custom columns too, which the Database type does not name.
const withContact = (db: Q) =>
  joined(db)
    .selectAll('leads')
    .select(['contacts.email as contact_email', 'contacts.first_name as contact_first_name', 'contacts.last_name as contact_last_name']);

export async function leadById(db: Q, id: string): Promise<LeadRow | undefined> {
  return (await withContact(db).where('leads.id', '=', id).executeTakeFirst()) as LeadRow | undefined;
}

function filtered<O>(q: SelectQueryBuilder<Database, 'leads' | 'contacts', O>, db: Q, f: LeadFilter) {
  if (f.contactId !== undefined) q = q.where('leads.contact_id', '=', f.contactId);
  if (f.status !== undefined) q = q.where('leads.status', '=', f.status);
  if (f.ownerId !== undefined) q = q.where('leads.owner_id', '=', f.ownerId);
  const text = f.q?.trim();
  if (text) {
    // Both sides folded by the database, as the contacts' search: a scan of the leads matched so far.
    const d = dialectOf(db);
    const title = foldSql(d, sql.ref('leads.title'));
    const w = foldSql(d, sql`${text}`);
    q = q.where(d === 'postgres' ? sql<SqlBool>`strpos(${title}, ${w}) > 0` : sql<SqlBool>`instr(${title}, ${w}) > 0`);
  }
  return q;
}

export async function listLeads(db: Q, f: LeadFilter, limit: number, after?: string): Promise<LeadRow[]> {
  let q = filtered(withContact(db), db, f);
  if (after) q = q.where('leads.id', '>', after);
  return (await q.orderBy('leads.id').limit(limit).execute()) as LeadRow[];
}

export function countLeads(db: Q, f: LeadFilter) {
  const any = Object.values(f).some((v) => v !== undefined);
  return countOrEstimate(db, 'leads', any, async () => {
    const r = await filtered(joined(db), db, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  });
}

export const insertLead = (db: Q, row: Record<string, unknown>) =>
  db
    .insertInto('leads')
    .values(row as never)
    .execute();
export const updateLead = (db: Q, id: string, set: Record<string, unknown>) =>
  db
    .updateTable('leads')
    .set(set as never)
    .where('id', '=', id)
    .execute();
export const deleteLead = (db: Q, id: string) => db.deleteFrom('leads').where('id', '=', id).executeTakeFirst();

/**
 * Whether a staff user has this id. Read in the writing transaction (the owner's foreign key
 * would refuse an unknown id too, but as a database error rather than a path the caller can fix).
 */
export async function userExists(db: Q, id: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

export const allLeadFields = (db: Q) => db.selectFrom('lead_fields').selectAll().orderBy('name').execute();
export const leadFieldByName = (db: Q, name: string) =>
  db.selectFrom('lead_fields').selectAll().where('name', '=', name).executeTakeFirst();
export const leadFieldById = (db: Q, id: string) => db.selectFrom('lead_fields').selectAll().where('id', '=', id).executeTakeFirst();
export const insertLeadField = (db: Q, row: LeadFieldsTable) => db.insertInto('lead_fields').values(row).execute();
export const deleteLeadField = (db: Q, id: string) => db.deleteFrom('lead_fields').where('id', '=', id).execute();

// The only places leads' columns change at run time: the name is checked against a strict pattern first.
const CUSTOM_COLUMN = /^cf_[a-z][a-z0-9_]{0,39}$/;

export async function addLeadColumn(db: Q, dialect: Dialect, column: string, type: FieldType): Promise<void> {
  if (!CUSTOM_COLUMN.test(column)) throw new Error('invalid custom column name');
  await sql`alter table leads add column ${sql.id(column)} ${sql.raw(COLUMN_TYPES[dialect][type])}`.execute(db);
}

export async function dropLeadColumn(db: Q, column: string): Promise<void> {
  if (!CUSTOM_COLUMN.test(column)) throw new Error('invalid custom column name');
  await sql`alter table leads drop column ${sql.id(column)}`.execute(db);
}
