import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { countOrEstimate } from '../../db/estimate.ts';
import { dialectOf, inList } from '../../db/in-list.ts';
import { foldSql, lowerSql } from '../../db/text-fold.ts';
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
  /** Words found in the address, first or last name or company, without regard to case or Latin accents. */
  q?: string;
  country?: string;
  language?: string;
  consentLevelAtLeast?: number;
  /** The stored level exactly (a console's "consent level is Marketing"). */
  consentLevel?: number;
  listId?: string;
  guardianId?: string;
}

/** The columns a contact listing may be sorted by (the API's names), each with its column and kind. */
export const CONTACT_SORTS = {
  email: { column: 'email', text: true },
  // The name as a list shows it, "first last" (either may be missing).
  name: { column: null, text: true },
  firstName: { column: 'first_name', text: true },
  lastName: { column: 'last_name', text: true },
  company: { column: 'company', text: true },
  country: { column: 'country', text: true },
  consentLevel: { column: 'consent_level', text: false },
  createdAt: { column: 'created_at', text: false },
  updatedAt: { column: 'updated_at', text: false },
} as const;
export type ContactSortField = keyof typeof CONTACT_SORTS;
export interface ContactSort {
  field: ContactSortField;
  desc: boolean;
}

/** The search's words: each must be found in one of the searched columns (`q=ana acme`). */
export function searchWords(q: string): string[] {
  return [...new Set(q.split(/\s+/).filter((w) => w !== ''))].slice(0, 10);
}

function filtered(db: Q, f: ContactFilter) {
  let q = db.selectFrom('contacts');
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
  if (f.q !== undefined) {
    // Every word in some column, both sides folded by the database (src/db/text-fold.ts). A scan
    // of the contacts: no index serves a substring of a folded value.
    const d = dialectOf(db);
    for (const word of searchWords(f.q)) {
      const w = foldSql(d, sql`${word}`);
      const found = (col: string) =>
        d === 'postgres'
          ? sql<SqlBool>`strpos(${foldSql(d, sql.ref(col))}, ${w}) > 0`
          : sql<SqlBool>`instr(${foldSql(d, sql.ref(col))}, ${w}) > 0`;
      q = q.where(sql<SqlBool>`(${sql.join(['email', 'first_name', 'last_name', 'company'].map(found), sql` or `)})`);
    }
  }
  if (f.country !== undefined) q = q.where('country', '=', f.country);
  if (f.language !== undefined) q = q.where('language', '=', f.language);
  if (f.consentLevelAtLeast !== undefined) q = q.where('consent_level', '>=', f.consentLevelAtLeast);
  if (f.consentLevel !== undefined) q = q.where('consent_level', '=', f.consentLevel);
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
  return q;
}

export function listContacts(db: Q, f: ContactFilter, limit: number, after?: string) {
  let q = filtered(db, f).selectAll();
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

/**
 * The sort value as compared: text in lower case (full Unicode mapping, binary order, the same
 * on both databases), a missing value as the empty string so it sorts first ascending on both
 * (SQLite puts NULL first, PostgreSQL last); numbers and times as stored.
 */
function sortExpr(db: Q, s: ContactSort): RawBuilder<string | number> {
  const c = CONTACT_SORTS[s.field];
  if (c.column === null)
    return lowerSql(dialectOf(db), sql`trim(coalesce(contacts.first_name, '') || ' ' || coalesce(contacts.last_name, ''))`);
  return c.text
    ? lowerSql(dialectOf(db), sql`coalesce(${sql.ref(`contacts.${c.column}`)}, '')`)
    : sql<number>`${sql.ref(`contacts.${c.column}`)}`;
}

/** A page in (sort value, id) order after `after`: rows with their sort values, which the next cursor carries. */
export async function listContactsSorted(
  db: Q,
  f: ContactFilter,
  s: ContactSort,
  limit: number,
  after?: { key: string | number; id: string },
) {
  const key = sortExpr(db, s);
  let q = filtered(db, f).selectAll().select(key.as('sort_key'));
  if (after) {
    const cmp = sql.raw(s.desc ? '<' : '>');
    q = q.where(sql<SqlBool>`(${key} ${cmp} ${after.key} or (${key} = ${after.key} and contacts.id ${cmp} ${after.id}))`);
  }
  const dir = s.desc ? 'desc' : 'asc';
  const rows = await q.orderBy(key, dir).orderBy('id', dir).limit(limit).execute();
  return rows.map(({ sort_key, ...row }) => ({ row: row as ContactRow, key: sort_key as string | number }));
}

/** The lists each of these contacts is on (a listing's page), as (contact, list) pairs in list id order. */
export function listIdsOf(db: Q, contactIds: readonly string[]) {
  if (contactIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('list_members')
    .select(['contact_id', 'list_id'])
    .where(inList(dialectOf(db), sql.ref('contact_id'), contactIds))
    .orderBy('list_id')
    .execute();
}

/** How many contacts the filter matches, or the table's estimate when unfiltered and large. */
export function countContacts(db: Q, f: ContactFilter) {
  const any = Object.values(f).some((v) => v !== undefined);
  return countOrEstimate(db, 'contacts', any, async () => {
    const r = await filtered(db, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  });
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
