import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.ts';

/*
 * The list of undeliverable addresses as staff see it: each with the bounce that put it there.
 * (Marking and clearing are bounce.queries.ts: `markUndeliverable`, `clearUndeliverable`.)
 */
type Q = Kysely<Database>;

/** Stands in for a missing bounce id in the order: such rows (none are written so) come last. */
export const NO_BOUNCE = '00000000-0000-0000-0000-000000000000';

export interface UndeliverableRow {
  /** The paging key: the bounce id, time-ordered. */
  id: string;
  address: string;
  since: string;
  bounce_id: string | null;
  status: string | null;
}

// `q` is compared with the match key (lower case, composed): the same on both databases,
// without SQLite's ASCII-only lower() or PostgreSQL's case-sensitive like.
function matching(db: Q, q: string | undefined) {
  let query = db.selectFrom('undeliverable_addresses as u');
  if (q) query = query.where(sql<boolean>`u.email_key like ${`%${q.replace(/[\\%_]/g, '\\$&')}%`} escape '\\'`);
  return query;
}

/** Newest first (by the bounce that put each there), after the cursor's bounce id. */
export function listUndeliverable(db: Q, q: string | undefined, limit: number, before?: string): Promise<UndeliverableRow[]> {
  const key = sql<string>`coalesce(u.bounce_id, ${NO_BOUNCE})`;
  let query = matching(db, q)
    .leftJoin('email_bounces as b', 'b.id', 'u.bounce_id')
    .select([key.as('id'), 'u.address', 'u.since', 'u.bounce_id', 'b.status']);
  if (before) query = query.where(key, '<', before);
  return query.orderBy(key, 'desc').limit(limit).execute();
}

export async function countUndeliverable(db: Q, q: string | undefined): Promise<number> {
  const r = await matching(db, q)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The bounce that made the address undeliverable (audit entries name it, never the address); undefined when not on the list. */
export async function undeliverableBy(db: Q, key: string): Promise<{ bounce_id: string | null } | undefined> {
  return db.selectFrom('undeliverable_addresses').select('bounce_id').where('email_key', '=', key).executeTakeFirst();
}
