import { sql, type Kysely, type SqlBool } from 'kysely';
import { chunks } from '../../lib/chunks.ts';
import type { Database } from '../database.ts';
import type { Dialect } from '../../db/connect.ts';
import { dialectOf, inList } from '../../db/in-list.ts';
import type { ContactsTable, CustomFieldsTable } from './contacts.table.ts';

type Q = Kysely<Database>;
export type ContactRow = ContactsTable;

export const insertContact = (db: Q, row: Record<string, unknown>) =>
  db
    .insertInto('contacts')
    .values(row as never)
    .execute();
export const contactById = (db: Q, id: string) => db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
/*
 * Addresses are found by their match key (emailKey) in the registry, contact_emails. A key is
 * held once, except by contacts that shared it before keys existed (dup > 0): lookups that want
 * one contact take the oldest (dup 0 first); erasure and export by address take them all.
 */
export const contactByEmailKey = (db: Q, key: string) =>
  db
    .selectFrom('contact_emails as r')
    .innerJoin('contacts', 'contacts.id', 'r.contact_id')
    .selectAll('contacts')
    .where('r.email_key', '=', key)
    .orderBy('r.dup')
    .limit(1)
    .executeTakeFirst();

/** Every contact holding one of these keys, oldest registration first within a key. */
export const contactsByEmailKeys = (db: Q, keys: string[]) =>
  keys.length
    ? db
        .selectFrom('contact_emails as r')
        .innerJoin('contacts', 'contacts.id', 'r.contact_id')
        .selectAll('contacts')
        .where(inList(dialectOf(db), sql.ref('r.email_key'), keys))
        .orderBy('r.email_key')
        .orderBy('r.dup')
        .execute()
    : Promise.resolve([]);

/** Whether any contact holds the key (a duplicate too, so a freed dup 0 is not taken while dup 1 lives). */
export const emailKeyHeld = async (db: Q, key: string) =>
  (await db.selectFrom('contact_emails').select('contact_id').where('email_key', '=', key).limit(1).executeTakeFirst()) !== undefined;

export const insertEmailKey = (db: Q, contactId: string, key: string) =>
  db.insertInto('contact_emails').values({ email_key: key, dup: 0, contact_id: contactId }).execute();

/** A contact's address changed to another key: its registry row takes the new key, as its only holder. */
export async function moveEmailKey(db: Q, contactId: string, key: string): Promise<void> {
  const r = await db.updateTable('contact_emails').set({ email_key: key, dup: 0 }).where('contact_id', '=', contactId).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) await insertEmailKey(db, contactId, key);
}

/** The contacts that share a key with another (dup > 0 exists), with their written form, oldest first per key. */
export async function duplicateRows(db: Q) {
  return db
    .selectFrom('contact_emails as r')
    .innerJoin('contacts', 'contacts.id', 'r.contact_id')
    .select(['r.email_key', 'r.dup', 'contacts.id', 'contacts.email', 'contacts.created_at'])
    .where('r.email_key', 'in', (eb) =>
      eb
        .selectFrom('contact_emails')
        .select('email_key')
        .groupBy('email_key')
        .having((h) => h.fn.countAll(), '>', 1),
    )
    .orderBy('r.email_key')
    .orderBy('r.dup')
    .execute();
}
/** Any number of ids: they travel as one parameter (inList). */
export const contactsByIds = (db: Q, ids: string[]) =>
  ids.length
    ? db
        .selectFrom('contacts')
        .selectAll()
        .where(inList(dialectOf(db), sql.ref('id'), ids))
        .execute()
    : Promise.resolve([]);
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

export const updateContact = (db: Q, id: string, set: Record<string, unknown>) =>
  db
    .updateTable('contacts')
    .set(set as never)
    .where('id', '=', id)
    .executeTakeFirst();
export const setConsentLevel = (db: Q, id: string, level: number, now: string) =>
  db.updateTable('contacts').set({ consent_level: level, updated_at: now }).where('id', '=', id).execute();
export const setGuardianConsent = (db: Q, id: string, granted: boolean, now: string) =>
  db
    .updateTable('contacts')
    .set({ guardian_consent: granted ? 1 : 0, updated_at: now })
    .where('id', '=', id)
    .execute();

/** The child-state columns, which only the consent module writes. */
export const setChildColumns = (
  db: Q,
  id: string,
  s: Pick<ContactsTable, 'is_child' | 'birth_date' | 'guardian_id' | 'guardian_consent'>,
  now: string,
) =>
  db
    .updateTable('contacts')
    .set({
      is_child: s.is_child,
      birth_date: s.birth_date,
      guardian_id: s.guardian_id,
      guardian_consent: s.guardian_consent,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();

/**
 * A contact read under a row lock (PostgreSQL; SQLite's writer lock serialises anyway), so a change recorded with its old value is not
 * raced.
 */
export const contactForUpdate = (db: Q, dialect: Dialect, id: string) => {
  const q = db.selectFrom('contacts').selectAll().where('id', '=', id);
  return (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
};

/** Locks contacts' rows (PostgreSQL), so a transaction takes them before the ledger head, in the order every writer does. */
export async function lockContacts(db: Q, dialect: Dialect, ids: string[]): Promise<void> {
  if (dialect !== 'postgres' || ids.length === 0) return;
  await db
    .selectFrom('contacts')
    .select('id')
    .where(inList(dialect, sql.ref('id'), ids))
    .orderBy('id')
    .forUpdate()
    .execute();
}

/**
 * Holds address keys for an erasure's transaction and names the contacts holding them. Each key
 * gets a placeholder (key, 0, NULL) unless a row takes (key, 0) already, then every row of the
 * keys is locked (PostgreSQL). A creation of the same address inserts (key, 0) too, so it waits
 * for the erasure (or the erasure's insert waits for it, and then sees its contact): the two
 * cannot miss each other. Keys are taken in order, so two erasures do not deadlock over them.
 * The placeholders go again with releaseEmailKeys before the commit.
 */
export async function holdEmailKeys(db: Q, dialect: Dialect, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const sorted = [...new Set(keys)].sort();
  for (const part of chunks(sorted, 500)) {
    await db
      .insertInto('contact_emails')
      .values(part.map((k) => ({ email_key: k, dup: 0, contact_id: null })))
      .onConflict((oc) => oc.columns(['email_key', 'dup']).doNothing())
      .execute();
  }
  const q = db
    .selectFrom('contact_emails')
    .select('contact_id')
    .where(inList(dialect, sql.ref('email_key'), sorted))
    .where('contact_id', 'is not', null)
    .orderBy('email_key')
    .orderBy('dup');
  const rows = await (dialect === 'postgres' ? q.forUpdate() : q).execute();
  return [...new Set(rows.map((r) => r.contact_id!))];
}

/** Removes an erasure's placeholders (holdEmailKeys), inside its transaction. */
export async function releaseEmailKeys(db: Q, dialect: Dialect, keys: string[]): Promise<void> {
  if (keys.length)
    await db
      .deleteFrom('contact_emails')
      .where(inList(dialect, sql.ref('email_key'), keys))
      .where('contact_id', 'is', null)
      .execute();
}

/** The children whose guardian is one of these contacts (and who are not among them). */
export const wardsOf = (db: Q, dialect: Dialect, guardianIds: string[]) => {
  if (guardianIds.length === 0) return Promise.resolve([]);
  const q = db
    .selectFrom('contacts')
    .selectAll()
    .where(inList(dialect, sql.ref('guardian_id'), guardianIds))
    .where(sql<SqlBool>`not ${inList(dialect, sql.ref('id'), guardianIds)}`)
    .orderBy('id');
  return (dialect === 'postgres' ? q.forUpdate() : q).execute();
};

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
