import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { Dialect } from '../../db/connect.ts';
import type { CustomFieldsTable } from './contacts.table.ts';
import type { ContactsTable } from '../contact-records/module.ts';

type Q = Kysely<Database>;
export type ContactRow = ContactsTable;

export const insertContact = (db: Q, row: Record<string, unknown>) =>
  db
    .insertInto('contacts')
    .values(row as never)
    .execute();
export const updateContact = (db: Q, id: string, set: Record<string, unknown>) =>
  db
    .updateTable('contacts')
    .set(set as never)
    .where('id', '=', id)
    .executeTakeFirst();
export interface ContactFilter {
  /** An address's match key (emailKey). */
  email?: string;
  /** The start of a match key. */
  emailPrefix?: string;
  country?: string;
  language?: string;
  consentLevelAtLeast?: number;
  listId?: string;
  guardianId?: string;
}

export function listContacts(db: Q, f: ContactFilter, limit: number, after?: string) {
  let q = db.selectFrom('contacts').selectAll();
  // Both by the registry's key: `email` and `emailPrefix` arrive as keys (or key prefixes).
  if (f.email !== undefined) {
    const key = f.email;
    q = q.where('id', 'in', (eb) => eb.selectFrom('contact_emails').select('contact_id').where('email_key', '=', key));
  }
  if (f.emailPrefix !== undefined) {
    const prefix = f.emailPrefix;
    q = q.where('id', 'in', (eb) =>
      eb.selectFrom('contact_emails').select('contact_id').where('email_key', '>=', prefix).where('email_key', '<', `${prefix}\uffff`),
    );
  }
  if (f.country !== undefined) q = q.where('country', '=', f.country);
  if (f.language !== undefined) q = q.where('language', '=', f.language);
  if (f.consentLevelAtLeast !== undefined) q = q.where('consent_level', '>=', f.consentLevelAtLeast);
  if (f.guardianId !== undefined) q = q.where('guardian_id', '=', f.guardianId);
  if (f.listId !== undefined) {
    const listId = f.listId;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('list_members')
          .select('list_members.contact_id')
          .whereRef('list_members.contact_id', '=', 'contacts.id')
          .where('list_members.list_id', '=', listId),
      ),
    );
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
