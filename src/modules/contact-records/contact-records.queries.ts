import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import { dialectOf, inList } from '../../db/in-list.ts';
import { chunks } from '../../lib/chunks.ts';
import type { Database } from '../database.ts';

/*
 * The contact's row and the address registry, as every module that reads, locks or erases a
 * contact needs them: functions over an executor, because callers run them inside their own
 * transaction (a row lock before a ledger write, an existence check before an insert, an
 * erasure holding an address's key). What a contact holds beyond its row is its owners' SQL.
 */
type Q = Kysely<Database>;

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
/** Where contacts are, for quiet hours in their own time: their time zone and country, nothing else (any number of ids). */
export const contactZonesByIds = (db: Q, ids: readonly string[]) =>
  ids.length
    ? db
        .selectFrom('contacts')
        .select(['id', 'time_zone', 'country'])
        .where(inList(dialectOf(db), sql.ref('id'), ids))
        .execute()
    : Promise.resolve([]);
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
