import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { SmtpSettings } from '../settings/module.ts';
import { configKey } from './smtp.relay.ts';

/**
 * The relay's sending rate (`smtp.maxPerSecond`), shared by every process: a counter per relay
 * and second in `rate_limits`, the table the API's limits use, so two workers together send at
 * most the rate, not each of them. Windows are whole seconds of the wall clock, which every
 * process agrees on without talking to the others; a process whose clock lags counts into the
 * newer window rather than resetting it. A fixed window lets a burst straddle two seconds, so
 * over any span of whole seconds the count is at most the rate times the seconds, plus one window.
 *
 * Real time, not the service's clock: the wait is a real sleep, and a test's frozen clock would
 * never let the window pass.
 */
export class RelayRate {
  constructor(private readonly db: Db) {}

  /** Waits until one message may go to this relay. No limit set: returns at once. */
  async take(smtp: SmtpSettings): Promise<void> {
    const max = smtp.maxPerSecond;
    if (max === undefined || max === null) return;
    // The relay's configuration hash: no personal data in the key.
    const key = `mail:relay:${configKey(smtp)}`;
    for (;;) {
      const start = Math.floor(Date.now() / 1000) * 1000;
      const window = new Date(start).toISOString();
      const r = await sql<{ count: number; window_start: string }>`
        insert into rate_limits (key, window_start, count) values (${key}, ${window}, 1)
        on conflict (key) do update set
          count = case when excluded.window_start > rate_limits.window_start then 1 else rate_limits.count + 1 end,
          window_start = case when excluded.window_start > rate_limits.window_start then excluded.window_start else
            rate_limits.window_start end
        returning count, window_start`.execute(this.db.kysely);
      const row = r.rows[0]!;
      if (Number(row.count) <= max) return;
      // Spent: wait for the next second (a little jitter so waiting processes do not all ask at once).
      const ends = Math.max(new Date(row.window_start).getTime(), start) + 1000;
      await sleep(Math.max(1, ends - Date.now()) + Math.floor(Math.random() * 5));
    }
  }
}
