import { sql, type Kysely } from 'kysely';
import { bulkInsert, type BulkColumn } from '../../db/bulk.ts';
import type { Db } from '../database.ts';
import { dialectOf, inList } from '../../db/in-list.ts';
import type { Database } from '../database.ts';
import type { ConsentLedgerTable } from './consent.table.ts';
import type { HeadRow } from './ledger.chain.ts';

type Q = Kysely<Database>;

/**
 * Takes the write lock on the chain head and reads it. An UPDATE comes first on purpose: on
 * PostgreSQL it locks the row until commit; on SQLite it takes the write lock at once, so two
 * processes never both read the same head and then race to append.
 */
export async function lockHead(db: Q, now: string): Promise<HeadRow> {
  const r = await db
    .updateTable('ledger_head')
    .set({ updated_at: now })
    .where('id', '=', 1)
    .returning(['seq', 'entry_hash', 'mac'])
    .executeTakeFirstOrThrow();
  return { seq: Number(r.seq), entry_hash: r.entry_hash, mac: r.mac };
}

export async function setHead(db: Q, seq: number, entryHash: string, mac: string | null, now: string): Promise<void> {
  await db.updateTable('ledger_head').set({ seq, entry_hash: entryHash, mac, updated_at: now }).where('id', '=', 1).execute();
}

export const readHead = (db: Q) =>
  db.selectFrom('ledger_head').select(['seq', 'entry_hash', 'mac']).where('id', '=', 1).executeTakeFirstOrThrow();

/** Sets the head's MAC if the head is still the one that was verified; false when it moved meanwhile. */
export async function sealHead(
  db: Q,
  seq: number,
  entryHash: string,
  mac: string,
  now: string,
  opts: { unsignedOnly?: boolean } = {},
): Promise<boolean> {
  let q = db
    .updateTable('ledger_head')
    .set({ mac, updated_at: now })
    .where('id', '=', 1)
    .where('seq', '=', seq)
    .where('entry_hash', '=', entryHash);
  if (opts.unsignedOnly) q = q.where('mac', 'is', null);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// Typed by the table, so a column added to it cannot be left out of the insert.
const ENTRY_TYPES: Record<keyof ConsentLedgerTable, BulkColumn['pgType']> = {
  id: 'text',
  seq: 'int8',
  contact_id: 'text',
  kind: 'text',
  list_id: 'text',
  old_value: 'int4',
  new_value: 'int4',
  source: 'text',
  actor_type: 'text',
  actor_id: 'text',
  notice_hash: 'text',
  evidence_ip: 'text',
  evidence_ua: 'text',
  nonce: 'text',
  at: 'text',
  content_hash: 'text',
  prev_hash: 'text',
  entry_hash: 'text',
  erased_at: 'text',
  old_text: 'text',
  new_text: 'text',
  covers: 'text',
  hash_version: 'int4',
  original_at: 'text',
  original_source: 'text',
};
const ENTRY_COLUMNS = Object.entries(ENTRY_TYPES).map(([name, pgType]) => ({ name, pgType })) as (BulkColumn & {
  name: keyof ConsentLedgerTable;
})[];

export async function insertEntries(trx: Q, db: Db, rows: ConsentLedgerTable[]): Promise<void> {
  await bulkInsert(
    trx,
    db,
    'consent_ledger',
    ENTRY_COLUMNS,
    rows.map((r) => ENTRY_COLUMNS.map((c) => r[c.name] ?? null)),
  );
}

export function entriesAfter(db: Q, afterSeq: number, limit: number) {
  return db.selectFrom('consent_ledger').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
}

export function contactEntries(db: Q, contactId: string) {
  return db.selectFrom('consent_ledger').selectAll().where('contact_id', '=', contactId).orderBy('seq').execute();
}

/** A contact's entries of some kinds, oldest first. */
export function contactEntriesOfKinds(db: Q, contactId: string, kinds: string[]) {
  return db
    .selectFrom('consent_ledger')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('kind', 'in', kinds)
    .orderBy('seq')
    .execute();
}

/** The newest entry of a kind for a contact at or before a time. */
export function lastEntryAt(db: Q, contactId: string, kinds: string[], at: string) {
  return db
    .selectFrom('consent_ledger')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('kind', 'in', kinds)
    .where('at', '<=', at)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Turns people's entries into stubs, in one statement: content gone, hashes kept, so the chain
 * still verifies. Returns the seqs it made stubs, for the erasure record that covers them.
 */
export async function stubContactsEntries(db: Q, contactIds: string[], now: string): Promise<number[]> {
  if (contactIds.length === 0) return [];
  const rows = await db
    .updateTable('consent_ledger')
    .set({
      contact_id: null,
      list_id: null,
      old_value: null,
      new_value: null,
      old_text: null,
      new_text: null,
      original_at: null,
      original_source: null,
      source: null,
      actor_type: null,
      actor_id: null,
      notice_hash: null,
      evidence_ip: null,
      evidence_ua: null,
      nonce: null,
      erased_at: now,
    })
    .where(inList(dialectOf(db), sql.ref('contact_id'), contactIds))
    .returning('seq')
    .execute();
  return rows.map((r) => Number(r.seq));
}

export const noticeByHash = (db: Q, hash: string) => db.selectFrom('notices').selectAll().where('hash', '=', hash).executeTakeFirst();
export const noticeById = (db: Q, id: string) => db.selectFrom('notices').selectAll().where('id', '=', id).executeTakeFirst();
/** Notices in id order, a batch at a time (verification recomputes each hash). */
export const noticesAfter = (db: Q, afterId: string, limit: number) =>
  db.selectFrom('notices').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
/** A person's history can name any number of notices: the hashes travel as one parameter. */
export const noticesByHashes = (db: Q, hashes: string[]) =>
  hashes.length
    ? db
        .selectFrom('notices')
        .selectAll()
        .where(inList(dialectOf(db), sql.ref('hash'), hashes))
        .execute()
    : Promise.resolve([]);

export async function insertNotice(db: Q, row: { id: string; hash: string; text: string; created_at: string }): Promise<void> {
  await db
    .insertInto('notices')
    .values(row)
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
}
