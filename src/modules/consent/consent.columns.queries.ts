import { type Kysely, type SqlBool, sql } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import { dialectOf, inList } from '../../db/in-list.ts';
import type { ContactsTable } from '../contact-records/module.ts';
import type { Database } from '../database.ts';

/*
 * The contact columns the consent module owns (the level, the child state, the guardian's
 * consent): only it writes them, through these, after the gate's rules and with a ledger entry.
 */
type Q = Kysely<Database>;

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

export const setConsentLevel = (db: Q, id: string, level: number, now: string) =>
  db.updateTable('contacts').set({ consent_level: level, updated_at: now }).where('id', '=', id).execute();
/** One stored level for many contacts (a bulk change; the ids travel as one parameter). */
export const setConsentLevels = (db: Q, ids: string[], level: number, now: string) =>
  db
    .updateTable('contacts')
    .set({ consent_level: level, updated_at: now })
    .where(inList(dialectOf(db), sql.ref('id'), ids))
    .execute();
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
