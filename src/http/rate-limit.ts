import { sql } from 'kysely';
import type { QueryExecutorProvider } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { Clock } from '../lib/clock.ts';
import { hmac } from '../lib/crypto.ts';
import { AppError } from '../lib/errors.ts';

export interface Limit {
  /** Names the limit, e.g. `login:ip`. */
  scope: string;
  max: number;
  windowMs: number;
}

/**
 * Fixed-window rate limiting kept in the database, so every API process counts against the
 * same budget and a restart does not reset it. One upsert per check: the window restarts
 * when the stored one has ended.
 */
export class RateLimiter {
  constructor(
    private readonly db: Db<any>,
    private readonly clock: Clock,
    /** The installation secret: subjects are client addresses and emails, few enough to guess one by one. */
    private readonly key: () => Promise<Buffer>,
  ) {}

  /** Counts one hit; returns the count in the current window. */
  async hit(limit: Limit, subject: string): Promise<{ count: number; retryAfterS: number }> {
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const cutoff = new Date(now.getTime() - limit.windowMs).toISOString();
    // Keyed, not a plain hash: with a plain hash anyone holding the table could confirm a guessed address.
    const key = hmac(await this.key(), `rate:${limit.scope}\u0000${subject}`);
    const r = await sql<{ count: number; window_start: string }>`
      insert into rate_limits (key, window_start, count) values (${key}, ${nowIso}, 1)
      on conflict (key) do update set
        count = case when rate_limits.window_start <= ${cutoff} then 1 else rate_limits.count + 1 end,
        window_start = case when rate_limits.window_start <= ${cutoff} then ${nowIso} else rate_limits.window_start end
      returning count, window_start`.execute(this.db.kysely);
    const row = r.rows[0]!;
    const ends = new Date(row.window_start).getTime() + limit.windowMs;
    return { count: Number(row.count), retryAfterS: Math.max(1, Math.ceil((ends - now.getTime()) / 1000)) };
  }

  /**
   * Counts many hits at once, in the order given: one statement for the lot (each key raised by
   * its number of hits, `returning` its new count), so a batch of requests costs one round trip
   * instead of one commit each. Each hit gets the count it would have had had the hits come one
   * by one: the n-th of a key's k hits in this call sees `count - k + n`. Run in `exec` (a
   * transaction) to count inside it; the counts are still shared by every process.
   */
  async hitMany(
    limit: Limit,
    subjects: readonly string[],
    exec?: QueryExecutorProvider,
  ): Promise<{ count: number; retryAfterS: number }[]> {
    return this.countKeys(limit, await this.keysOf(limit, subjects), exec);
  }

  /** The keys `subjects` are counted under (hitMany's first half: it may read the secret from the database). */
  async keysOf(limit: Limit, subjects: readonly string[]): Promise<string[]> {
    const secret = await this.key();
    return subjects.map((s) => hmac(secret, `rate:${limit.scope}\u0000${s}`));
  }

  /** hitMany's second half: counts hits on keys made by `keysOf`, in one statement. */
  async countKeys(limit: Limit, keys: readonly string[], exec?: QueryExecutorProvider): Promise<{ count: number; retryAfterS: number }[]> {
    if (keys.length === 0) return [];
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const cutoff = new Date(now.getTime() - limit.windowMs).toISOString();
    const hits = new Map<string, number>();
    for (const k of keys) hits.set(k, (hits.get(k) ?? 0) + 1);
    // One row per key (PostgreSQL refuses an upsert that touches a row twice), in key order: two
    // batches in flight at once lock their rows in the same order, so neither waits on the other in a cycle.
    const rows = sql.join([...hits].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, n]) => sql`(${k}, ${nowIso}, ${n})`));
    const r = await sql<{ key: string; count: number; window_start: string }>`
      insert into rate_limits (key, window_start, count) values ${rows}
      on conflict (key) do update set
        count = case when rate_limits.window_start <= ${cutoff} then excluded.count else rate_limits.count + excluded.count end,
        window_start = case when rate_limits.window_start <= ${cutoff} then excluded.window_start else rate_limits.window_start end
      returning key, count, window_start`.execute(exec ?? this.db.kysely);
    const stored = new Map(r.rows.map((row) => [row.key, row]));
    const seen = new Map<string, number>();
    return keys.map((k) => {
      const row = stored.get(k)!;
      const nth = (seen.get(k) ?? 0) + 1;
      seen.set(k, nth);
      const ends = new Date(row.window_start).getTime() + limit.windowMs;
      return { count: Number(row.count) - hits.get(k)! + nth, retryAfterS: Math.max(1, Math.ceil((ends - now.getTime()) / 1000)) };
    });
  }

  /** Throws `rate_limited` (with the seconds to wait in details) once the window's budget is spent. */
  async check(limit: Limit, subject: string): Promise<void> {
    const { count, retryAfterS } = await this.hit(limit, subject);
    if (count > limit.max) throw new AppError('rate_limited', 'too many requests; try again later', { retryAfter: retryAfterS });
  }
}
