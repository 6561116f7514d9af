import { countOrEstimate } from '../../db/estimate.ts';
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import { createHashPartitions, personModulus } from '../../db/partitions.ts';
import type { Database } from '../database.ts';
import { COLUMN_TYPES, type FieldType } from '../contacts/module.ts';
import { derivedName } from './entities.model.ts';
import type { CustomEntitiesTable, CustomEntityFieldsTable } from './entities.table.ts';

type Q = Kysely<Database>;

const TABLE = /^entity_[a-z][a-z0-9_]{0,39}$/;
const COLUMN = /^f_[a-z][a-z0-9_]{0,39}$/;

/** Entity tables are named at run time: every name reaching SQL is checked here against the strict patterns. */
// biome-ignore lint/suspicious/noExplicitAny: entity tables are named at run time, so no type names them
type Records = Kysely<any>;
function records(db: Q, table: string): Records {
  if (!TABLE.test(table)) throw new Error('invalid entity table name');
  return db as unknown as Records;
}

export const allEntities = (db: Q) => db.selectFrom('custom_entities').selectAll().orderBy('name').execute();
// Fields keep the order they were defined in: their ids are time-ordered.
export const allEntityFields = (db: Q) => db.selectFrom('custom_entity_fields').selectAll().orderBy('entity_id').orderBy('id').execute();
export const entityByName = (db: Q, name: string) =>
  db.selectFrom('custom_entities').selectAll().where('name', '=', name).executeTakeFirst();
export const fieldsOf = (db: Q, entityId: string) =>
  db.selectFrom('custom_entity_fields').selectAll().where('entity_id', '=', entityId).orderBy('id').execute();
export const countEntities = async (db: Q) =>
  Number(
    (
      await db
        .selectFrom('custom_entities')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

export async function insertEntity(db: Q, row: CustomEntitiesTable, fields: CustomEntityFieldsTable[]): Promise<void> {
  await db.insertInto('custom_entities').values(row).execute();
  await db.insertInto('custom_entity_fields').values(fields).execute();
}

/**
 * The entity's own table. Types match custom contact fields (text compares in binary order on
 * both databases). No foreign key to contacts: an `anonymise` entity keeps its rows when the
 * contact goes, and erasure follows the data map rather than cascades.
 */
export async function createEntityTable(
  db: Q,
  dialect: Dialect,
  t: { table: string; linked: boolean; retention: boolean; fields: { column: string; type: FieldType }[] },
): Promise<void> {
  records(db, t.table);
  const text = sql.raw(COLUMN_TYPES[dialect].text);
  // PostgreSQL: a linked entity is about people, so it is hash-partitioned by contact id like
  // the other person tables (src/db/partitions.ts), and an erasure rewrites only the person's
  // partitions. Its id cannot be the primary key then (a primary key must contain the partition
  // key, and an anonymised record's contact id is null): it is indexed instead.
  const modulus = dialect === 'postgres' && t.linked ? await personModulus(db) : 0;
  const cols = [
    sql`${sql.id('id')} ${text} not null`,
    ...(t.linked ? [sql`${sql.id('contact_id')} ${text}`] : []),
    sql`${sql.id('created_at')} ${text} not null`,
    sql`${sql.id('updated_at')} ${text} not null`,
    ...t.fields.map((f) => {
      if (!COLUMN.test(f.column)) throw new Error('invalid entity column name');
      return sql`${sql.id(f.column)} ${sql.raw(COLUMN_TYPES[dialect][f.type])}`;
    }),
    // Named, so PostgreSQL does not name the key's index `<table>_pkey`: another entity could be called that.
    ...(modulus ? [] : [sql`constraint ${sql.id(derivedName(t.table, 'pkey'))} primary key (${sql.id('id')})`]),
  ];
  await sql`create table ${sql.table(t.table)}
    (${sql.join(cols)})${modulus ? sql` partition by hash (${sql.id('contact_id')})` : sql``}`.execute(db);
  if (modulus) {
    await createHashPartitions(db, t.table, modulus);
    await sql`create index ${sql.id(derivedName(t.table, 'id_idx'))} on ${sql.table(t.table)} (${sql.id('id')})`.execute(db);
  }
  if (t.linked)
    await sql`create index ${sql.id(derivedName(t.table, 'contact_idx'))} on ${sql.table(t.table)} (${sql.id('contact_id')})`.execute(db);
  if (t.retention)
    await sql`create index ${sql.id(derivedName(t.table, 'created_idx'))} on ${sql.table(t.table)} (${sql.id('created_at')})`.execute(db);
}

export const insertRecord = (db: Q, table: string, row: Record<string, unknown>) =>
  records(db, table).insertInto(table).values(row).execute();

export const recordById = (db: Q, table: string, id: string) =>
  records(db, table).selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst() as Promise<Record<string, unknown> | undefined>;

export function listRecords(
  db: Q,
  table: string,
  f: { contactId?: string },
  limit: number,
  after?: string,
): Promise<Record<string, unknown>[]> {
  let q = records(db, table).selectFrom(table).selectAll();
  if (f.contactId !== undefined) q = q.where('contact_id', '=', f.contactId);
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

/** The record listing's total (src/db/estimate.ts). */
export function countRecords(db: Q, table: string, f: { contactId?: string }) {
  return countOrEstimate(db, table, f.contactId !== undefined, async () => {
    let q = records(db, table).selectFrom(table);
    if (f.contactId !== undefined) q = q.where('contact_id', '=', f.contactId);
    return Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  });
}

export const updateRecord = (db: Q, table: string, id: string, set: Record<string, unknown>) =>
  records(db, table).updateTable(table).set(set).where('id', '=', id).executeTakeFirst();

export const deleteRecord = (db: Q, table: string, id: string) =>
  records(db, table).deleteFrom(table).where('id', '=', id).executeTakeFirst();
