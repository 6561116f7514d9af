import type { Kysely } from 'kysely';
import type { Db } from '../db/connect.ts';
import { iso, type Clock } from '../lib/clock.ts';
import { effectStatus, insertEffect, moveEffect } from './effects.queries.ts';

/**
 * What became of a side effect recorded under its key:
 * - `pending`: recorded before it began; if it stays so, the process doing it died (or is still
 *   at it) and whether it happened is unknown. It is never begun again: at most once.
 * - `done`: it happened.
 * - `failed`: it is known not to have happened (a relay refused the message); it may be tried again.
 * - `skipped`: it was decided against (the consent gate refused), and that decision was recorded.
 */
export type EffectStatus = 'pending' | 'done' | 'failed' | 'skipped';

export type Claim = { claimed: true } | { claimed: false; status: EffectStatus };

/**
 * Side effects recorded by idempotency key, so that work run again (a job whose worker died, a
 * retry) finds what an earlier run did and does nothing twice. Keys hold ids and names, never
 * personal values: `dsr.verification-link:<case id>`, `retention:<date>`.
 *
 * Two ways to use it:
 * - an effect outside the database (a mail through a relay): `claim` before it, `finish` after.
 *   A crash in between leaves it `pending`, which is never repeated;
 * - an effect inside the database (an outbox row, a history note, an audit entry): `once` in the
 *   same transaction as the effect, which then exists exactly when its record does.
 */
export class SideEffects {
  constructor(
    private readonly db: Db<any>,
    private readonly clock: Clock,
  ) {}

  /**
   * Takes the key for an effect about to begin: `claimed` means go ahead (and `finish` after);
   * otherwise the status an earlier attempt left. A `failed` effect is claimed again. Of two
   * concurrent claims one wins: the key is the primary key, and the move from failed is one
   * conditional statement.
   */
  async claim(key: string, trx: Kysely<any> = this.db.kysely): Promise<Claim> {
    const now = this.now();
    // Twice at most: a record can vanish between the statements only when retention deletes an old one.
    for (let round = 0; ; round++) {
      if (await insertEffect(trx, key, 'pending', now)) return { claimed: true };
      if (await moveEffect(trx, key, ['failed'], 'pending', now)) return { claimed: true };
      const status = await effectStatus(trx, key);
      if (status !== undefined || round > 0) return { claimed: false, status: (status ?? 'pending') as EffectStatus };
    }
  }

  /** Records how a claimed effect ended. Only a pending record moves, so a late finisher cannot undo another's outcome. */
  async finish(key: string, status: 'done' | 'failed', trx: Kysely<any> = this.db.kysely): Promise<void> {
    await moveEffect(trx, key, ['pending'], status, this.now());
  }

  /**
   * Records an effect made in `trx` itself: true the first time (make it), false when the key was
   * recorded before (it was made, or decided against, already).
   */
  async once(key: string, trx: Kysely<any>, status: 'done' | 'skipped' = 'done'): Promise<boolean> {
    return insertEffect(trx, key, status, this.now());
  }

  async status(key: string): Promise<EffectStatus | null> {
    return ((await effectStatus(this.db.kysely, key)) as EffectStatus | undefined) ?? null;
  }

  private now(): string {
    return iso(this.clock.now());
  }
}
