import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import { inList } from '../../db/in-list.ts';
import type { Database } from '../database.ts';
import type { ScoreCondition } from './score.model.ts';

type Q = Kysely<Database>;

/** The ids of these that name a scoring model now. */
export async function modelsThatExist(db: Q, dialect: Dialect, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('scoring_models')
    .select('id')
    .where((eb) => inList(dialect, eb.ref('id'), ids))
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * The contacts with a lead scored by the model meeting every part of the condition: a subquery
 * of contact ids over `lead_scores` (its `(model_id, score)` index). A cleared row (score null,
 * the gate's reason) never matches, whatever the parts; `contact` narrows it to one person.
 */
export function scoreMatchSql(c: ScoreCondition, contact?: string): RawBuilder<unknown> {
  const where: RawBuilder<unknown>[] = [sql`ls.model_id = ${c.modelId}`, sql`ls.score is not null`];
  if (c.atLeast !== undefined) where.push(sql`ls.score >= ${c.atLeast}`);
  if (c.below !== undefined) where.push(sql`ls.score < ${c.below}`);
  if (c.grade !== undefined) where.push(sql`ls.grade in (${sql.join(c.grade.map((g) => sql`${g}`))})`);
  if (c.salesReady !== undefined) where.push(sql`ls.sales_ready = ${c.salesReady ? 1 : 0}`);
  if (contact !== undefined) where.push(sql`ls.contact_id = ${contact}`);
  return sql`select ls.contact_id from lead_scores ls where ${sql.join(where, sql` and `)}`;
}

/**
 * What a sales-ready task needs: the lead's contact, title and owner (null when the owner is
 * disabled, so the task goes to the role), and the model's name. Null when the lead is gone.
 * (Read here until the leads module's service offers it: one row, ids and a title.)
 */
export async function leadForTask(
  db: Q,
  leadId: string,
  modelId: string,
): Promise<{ contactId: string; title: string; ownerId: string | null; modelName: string | null } | null> {
  const r = await db
    .selectFrom('leads as l')
    .leftJoin('users as u', (j) => j.onRef('u.id', '=', 'l.owner_id').on('u.disabled', '=', 0))
    .leftJoin('scoring_models as m', (j) => j.on('m.id', '=', modelId))
    .select(['l.contact_id', 'l.title', 'u.id as owner_id', 'm.name as model_name'])
    .where('l.id', '=', leadId)
    .executeTakeFirst();
  return r ? { contactId: r.contact_id, title: r.title, ownerId: r.owner_id, modelName: r.model_name } : null;
}

/** The leads of these contacts, oldest first (the portal lists them in that order). */
export const leadsOfContacts = (db: Q, contactIds: readonly string[]) =>
  contactIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('leads').select(['id', 'title']).where('contact_id', 'in', contactIds).orderBy('created_at').orderBy('id').execute();
