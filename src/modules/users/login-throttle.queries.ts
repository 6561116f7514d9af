import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.ts';

type Q = Kysely<Database>;

export interface Counted {
  failures: number;
  next_at: string | null;
  good_until: string | null;
}

/**
 * Counts one attempt against a subject in one statement, which holds the row (PostgreSQL's row
 * lock, SQLite's write lock) until the caller's transaction ends: a concurrent attempt on the same
 * subject waits and then sees this one's count and delay. An attempt that arrives before `next_at`
 * changes nothing (the caller refuses it and rolls back); a count whose last attempt is older than
 * `forget` starts again at one.
 */
export async function countAttempt(
  db: Q,
  row: { key: string; addressKey: string | null; now: string; forget: string; expires: string },
): Promise<Counted> {
  const { key, addressKey, now, forget, expires } = row;
  const r = await sql<Counted>`
    insert into login_throttle (key, address_key, failures, last_at, next_at, good_until, expires_at)
    values (${key}, ${addressKey}, 1, ${now}, null, null, ${expires})
    on conflict (key) do update set
      failures = case when login_throttle.next_at > ${now} then login_throttle.failures
                      when login_throttle.last_at <= ${forget} then 1
                      else login_throttle.failures + 1 end,
      last_at = case when login_throttle.next_at > ${now} then login_throttle.last_at else ${now} end,
      expires_at = case when login_throttle.good_until > ${expires} then login_throttle.good_until
                        when login_throttle.expires_at > ${expires} then login_throttle.expires_at
                        else ${expires} end
    returning failures, next_at, good_until`.execute(db);
  const c = r.rows[0]!;
  return { failures: Number(c.failures), next_at: c.next_at, good_until: c.good_until };
}

/** The earliest time the subject's next attempt is taken, once its free attempts are spent. */
export const delayNext = (db: Q, key: string, nextAt: string) =>
  db.updateTable('login_throttle').set({ next_at: nextAt }).where('key', '=', key).execute();

/** The right password from a client: its count for the address ends, and the pair is known for a while. */
export async function markGood(db: Q, row: { key: string; addressKey: string; now: string; goodUntil: string }): Promise<void> {
  const { key, addressKey, now, goodUntil } = row;
  await sql`
    insert into login_throttle (key, address_key, failures, last_at, next_at, good_until, expires_at)
    values (${key}, ${addressKey}, 0, ${now}, null, ${goodUntil}, ${goodUntil})
    on conflict (key) do update set failures = 0, next_at = null, good_until = ${goodUntil}, expires_at = ${goodUntil}`.execute(db);
}

/** Takes back the attempt counted before the password was checked, which was right. */
export const uncount = (db: Q, keys: string[]) =>
  db
    .updateTable('login_throttle')
    .set((eb) => ({
      failures: eb
        .case()
        .when('failures', '>', 0)
        .then(eb('failures', '-', 1))
        .else(0)
        .end(),
    }))
    .where('key', 'in', keys)
    .execute();

/** Every row of the address: its own and its (address, client) pairs. */
export async function clearAddress(db: Q, addressKey: string): Promise<number> {
  const r = await db.deleteFrom('login_throttle').where('address_key', '=', addressKey).executeTakeFirst();
  return Number(r.numDeletedRows);
}
