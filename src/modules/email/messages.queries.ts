import { type Kysely, type SqlBool, sql } from 'kysely';
import { countOrEstimate } from '../../db/estimate.ts';
import { foldSql } from '../../db/text-fold.ts';
import { dialectOf } from '../../db/in-list.ts';
import type { Database } from '../database.ts';
import type { MessagesTable } from './email.table.ts';

type Q = Kysely<Database>;

export const insertMessage = (db: Q, row: MessagesTable) => db.insertInto('messages').values(row).execute();
export const messageById = (db: Q, id: string) => db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
export const updateMessage = (db: Q, id: string, patch: Partial<Omit<MessagesTable, 'id' | 'created_at'>>) =>
  db.updateTable('messages').set(patch).where('id', '=', id).executeTakeFirst();
export const deleteMessage = (db: Q, id: string) => db.deleteFrom('messages').where('id', '=', id).executeTakeFirst();

/** Whether any send or campaign names the message (they keep its history: it cannot go). */
export async function messageInUse(db: Q, id: string): Promise<boolean> {
  const send = await db.selectFrom('sends').select('id').where('message_id', '=', id).limit(1).executeTakeFirst();
  if (send) return true;
  return !!(await db.selectFrom('campaigns').select('id').where('message_id', '=', id).limit(1).executeTakeFirst());
}

export interface MessageFilter {
  /** Words that must each appear in the name, compared without case or Latin accents. */
  words?: string[];
}

function filtered(db: Q, f: MessageFilter) {
  let q = db.selectFrom('messages');
  if (f.words?.length) {
    const d = dialectOf(db);
    const name = foldSql(d, sql.ref('name'));
    for (const word of f.words) {
      const w = foldSql(d, sql`${word}`);
      q = q.where(d === 'postgres' ? sql<SqlBool>`strpos(${name}, ${w}) > 0` : sql<SqlBool>`instr(${name}, ${w}) > 0`);
    }
  }
  return q;
}

/** The listing, most recently changed first, then by id (descending), after the cursor's row. */
export async function listMessages(db: Q, f: MessageFilter, limit: number, after?: { key: string | number; id: string }) {
  let q = filtered(db, f).selectAll();
  if (after) {
    const key = String(after.key);
    q = q.where(sql<SqlBool>`(updated_at < ${key} or (updated_at = ${key} and id < ${after.id}))`);
  }
  const rows = await q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({ row, key: row.updated_at }));
}

export const countMessages = (db: Q, f: MessageFilter) =>
  countOrEstimate(db, 'messages', !!f.words?.length, async () =>
    Number(
      (
        await filtered(db, f)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  );
