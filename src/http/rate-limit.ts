import { sql } from 'kysely';
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

  /** Throws `rate_limited` (with the seconds to wait in details) once the window's budget is spent. */
  async check(limit: Limit, subject: string): Promise<void> {
    const { count, retryAfterS } = await this.hit(limit, subject);
    if (count > limit.max) throw new AppError('rate_limited', 'too many requests; try again later', { retryAfter: retryAfterS });
  }
}
