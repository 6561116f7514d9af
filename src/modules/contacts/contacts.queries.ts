import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Dialect } from '../../db/connect.ts';
import { dialectOf, inList } from '../../db/in-list.ts';
import type { ContactsTable, CustomFieldsTable } from './contacts.table.ts';

type Q = Kysely<Database>;
export type ContactRow = ContactsTable;

export const insertContact = (db: Q, row: Record<string, unknown>) => db.insertInto('contacts').values(row as never).execute();
export const contactById = (db: Q, id: string) => db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
export const contactByEmail = (db: Q, email: string) => db.selectFrom('contacts').selectAll().where('email', '=', email).executeTakeFirst();
/** Any number of ids: they travel as one parameter (inList). */
export const contactsByIds = (db: Q, ids: string[]) => (ids.length ? db.selectFrom('contacts').selectAll().where(inList(dialectOf(db), sql.ref('id'), ids)).execute() : Promise.resolve([]));
/**
 * Only what the consent gate reads, for many contacts at once (ingest asks per batch of up to
 * 10,000). The ids travel as one parameter (a JSON array on SQLite, a text array on
 * PostgreSQL), so the statement text is the same whatever the count and needs no chunking.
 */
export async function gateStatesByIds(db: Q, dialect: Dialect, ids: string[]) {
  if (ids.length === 0) return [];
  const cols = sql`id, consent_level, is_child, birth_date, guardian_consent`;
  const r =
    dialect === 'postgres'
      ? await sql<GateRow>`select ${cols} from contacts where id = any(${ids}::text[])`.execute(db)
      : await sql<GateRow>`select ${cols} from contacts where id in (select value from json_each(${JSON.stringify(ids)}))`.execute(db);
  return r.rows;
}
type GateRow = Pick<ContactsTable, 'id' | 'consent_level' | 'is_child' | 'birth_date' | 'guardian_consent'>;

export const updateContact = (db: Q, id: string, set: Record<string, unknown>) => db.updateTable('contacts').set(set as never).where('id', '=', id).executeTakeFirst();
export const deleteContact = (db: Q, id: string) => db.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
export const setConsentLevel = (db: Q, id: string, level: number, now: string) => db.updateTable('contacts').set({ consent_level: level, updated_at: now }).where('id', '=', id).execute();
export const setGuardianConsent = (db: Q, id: string, granted: boolean, now: string) => db.updateTable('contacts').set({ guardian_consent: granted ? 1 : 0, updated_at: now }).where('id', '=', id).execute();

/** The child-state columns, which only the consent module writes. */
export const setChildColumns = (db: Q, id: string, s: Pick<ContactsTable, 'is_child' | 'birth_date' | 'guardian_id' | 'guardian_consent'>, now: string) =>
  db.updateTable('contacts').set({ is_child: s.is_child, birth_date: s.birth_date, guardian_id: s.guardian_id, guardian_consent: s.guardian_consent, updated_at: now }).where('id', '=', id).execute();

/** A contact read under a row lock (PostgreSQL; SQLite's writer lock serialises anyway), so a change recorded with its old value is not raced. */
export const contactForUpdate = (db: Q, dialect: Dialect, id: string) => {
  const q = db.selectFrom('contacts').selectAll().where('id', '=', id);
  return (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
};

/** Locks contacts' rows (PostgreSQL), so a transaction takes them before the ledger head, in the order every writer does. */
export async function lockContacts(db: Q, dialect: Dialect, ids: string[]): Promise<void> {
  if (dialect !== 'postgres' || ids.length === 0) return;
  await db.selectFrom('contacts').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

/** The children whose guardian is one of these contacts (and who are not among them). */
export const wardsOf = (db: Q, dialect: Dialect, guardianIds: string[]) => {
  if (guardianIds.length === 0) return Promise.resolve([]);
  const q = db.selectFrom('contacts').selectAll().where('guardian_id', 'in', guardianIds).where('id', 'not in', guardianIds).orderBy('id');
  return (dialect === 'postgres' ? q.forUpdate() : q).execute();
};

export interface ContactFilter {
  email?: string;
  emailPrefix?: string;
  country?: string;
  language?: string;
  consentLevelAtLeast?: number;
  listId?: string;
  guardianId?: string;
}

export function listContacts(db: Q, f: ContactFilter, limit: number, after?: string) {
  let q = db.selectFrom('contacts').selectAll();
  if (f.email !== undefined) q = q.where('email', '=', f.email);
  if (f.emailPrefix !== undefined) q = q.where('email', '>=', f.emailPrefix).where('email', '<', `${f.emailPrefix}\uffff`);
  if (f.country !== undefined) q = q.where('country', '=', f.country);
  if (f.language !== undefined) q = q.where('language', '=', f.language);
  if (f.consentLevelAtLeast !== undefined) q = q.where('consent_level', '>=', f.consentLevelAtLeast);
  if (f.guardianId !== undefined) q = q.where('guardian_id', '=', f.guardianId);
  if (f.listId !== undefined) {
    const listId = f.listId;
    q = q.where(({ exists, selectFrom }) => exists(selectFrom('list_members').select('list_members.contact_id').whereRef('list_members.contact_id', '=', 'contacts.id').where('list_members.list_id', '=', listId)));
  }
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

export const allFields = (db: Q) => db.selectFrom('custom_fields').selectAll().orderBy('name').execute();
export const fieldByName = (db: Q, name: string) => db.selectFrom('custom_fields').selectAll().where('name', '=', name).executeTakeFirst();
export const insertField = (db: Q, row: CustomFieldsTable) => db.insertInto('custom_fields').values(row).execute();

/** Column types of run-time fields; custom entity tables use the same, so values compare alike. */
export const COLUMN_TYPES = {
  sqlite: { text: 'text', number: 'real', boolean: 'integer', date: 'text' },
  postgres: { text: 'text collate "C"', number: 'double precision', boolean: 'integer', date: 'text collate "C"' },
} as const;

/** The one place a column is added at run time: the name is checked by the caller against a strict pattern. */
export async function addFieldColumn(db: Q, dialect: Dialect, column: string, type: keyof (typeof COLUMN_TYPES)['sqlite']): Promise<void> {
  if (!/^cf_[a-z][a-z0-9_]{0,39}$/.test(column)) throw new Error('invalid custom column name');
  await sql`alter table contacts add column ${sql.id(column)} ${sql.raw(COLUMN_TYPES[dialect][type])}`.execute(db);
}
