import type { Db } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { hmac } from '../../lib/crypto.ts';
import { emailKey } from '../../lib/email.ts';
import { AppError } from '../../lib/errors.ts';
import { throttleClient } from '../../lib/evidence.ts';
import * as q from './login-throttle.queries.ts';

/**
 * How many failed guesses a subject gets free before each further attempt waits: 2^k seconds
 * after the (free + k)-th failure, k from 0, at most CAP_S. An address from one client is
 * slowed first; the address from everywhere and the client against every address are looser
 * ceilings, for attackers spread over many clients or many addresses.
 */
export const THROTTLE = {
  pair: { free: 5 },
  address: { free: 20 },
  client: { free: 50 },
  /** Delays double up to a quarter of an hour between attempts: slow for a guesser, never a lock. */
  capS: 15 * 60,
  /** A count is forgotten after an hour without an attempt, longer than the longest delay. */
  forgetMs: 60 * 60_000,
  /** A client that gave the address's right password stays known for it this long. */
  knownMs: 30 * 86_400_000,
} as const;

type Scope = 'pair' | 'address' | 'client';

/** One attempt that was let through: what to take back when its password turns out right. */
export interface Attempt {
  pair: string;
  address: string;
  client: string;
  /** The client gave this address's right password lately: only its own pair's count applies. */
  known: boolean;
}

/**
 * Login throttling that slows guessing without locking the account (the choices and their reasons are
 * in users/CONTEXT.md). Every attempt is counted before the password is checked, in one
 * transaction that holds the subjects' rows, so concurrent attempts in any number of processes
 * queue on the rows and none slips past a delay another has just set; a right password then
 * takes its count back. The rows never hold the address or the client: keys are HMACs under
 * the installation secret, and nothing here reads the users table, so an unknown address is
 * counted, delayed and answered exactly as a known one.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly secret: () => Promise<Buffer>,
  ) {}

  /** Counts an attempt for the address from the client, or throws `rate_limited` with the seconds to wait. */
  async admit(email: string, ip: string | undefined): Promise<Attempt> {
    const keys = await this.keys(email, ip);
    const now = this.clock.now();
    const at = now.toISOString();
    const forget = new Date(now.getTime() - THROTTLE.forgetMs).toISOString();
    const expires = new Date(now.getTime() + THROTTLE.forgetMs).toISOString();
    let known = false;
    // The rows are taken in one order (pair, address, client), one of each per attempt: no two
    // attempts can wait for each other in a cycle.
    await this.db.kysely.transaction().execute(async (trx) => {
      const order: Scope[] = ['pair', 'address', 'client'];
      for (const scope of order) {
        if (known) break;
        const key = keys[scope];
        const counted = await q.countAttempt(trx, { key, addressKey: scope === 'client' ? null : keys.address, now: at, forget, expires });
        if (counted.next_at !== null && counted.next_at > at) {
          // Refused: nothing of this attempt is kept, in any row (the transaction rolls back).
          const retryAfter = Math.max(1, Math.ceil((Date.parse(counted.next_at) - now.getTime()) / 1000));
          throw new AppError('rate_limited', 'too many failed attempts; try again later', { retryAfter });
        }
        const over = counted.failures - THROTTLE[scope].free;
        if (over >= 0) {
          const waitS = Math.min(2 ** Math.min(over, 30), THROTTLE.capS);
          await q.delayNext(trx, key, new Date(now.getTime() + waitS * 1000).toISOString());
        }
        if (scope === 'pair') known = counted.good_until !== null && counted.good_until > at;
      }
    });
    return { ...keys, known };
  }

  /** The attempt's password was right: its pair starts again and is known; the looser ceilings take it back. */
  async succeeded(a: Attempt): Promise<void> {
    const now = this.clock.now();
    await this.db.kysely.transaction().execute(async (trx) => {
      await q.markGood(trx, {
        key: a.pair,
        addressKey: a.address,
        now: now.toISOString(),
        goodUntil: new Date(now.getTime() + THROTTLE.knownMs).toISOString(),
      });
      if (!a.known) await q.uncount(trx, [a.address, a.client]);
    });
  }

  /** Clears the address's throttle (its own row and every client's for it); returns the rows removed. */
  async unlock(email: string): Promise<number> {
    return q.clearAddress(this.db.kysely, (await this.keys(email, undefined)).address);
  }

  private async keys(email: string, ip: string | undefined): Promise<Record<Scope, string>> {
    const secret = await this.secret();
    const address = emailKey(email);
    const client = throttleClient(ip);
    return {
      pair: hmac(secret, `login:pair\u0000${address}\u0000${client}`),
      address: hmac(secret, `login:address\u0000${address}`),
      client: hmac(secret, `login:client\u0000${client}`),
    };
  }
}
