import type { Limit, RateLimiter } from '../../http/rate-limit.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Db } from '../database.ts';
import * as q from './forms.queries.ts';
import { bumpSubmissions, type CounterTarget } from './forms.counters.ts';
import type { FormConfirmationsTable, FormSubmissionsTable } from './forms.table.ts';

/** How long a submission waits for others to share its commit, and how many share one at most. */
export const GROUP_WAIT_MS = 2;
export const GROUP_MAX = 64;

/**
 * Collects items for at most `waitMs` or `max` items, then hands them to `flush` together; each
 * caller gets its own item's result. A flush that throws rejects every caller of its batch with
 * that error. Several batches may be in flight at once (each is its own transaction).
 */
export class Batcher<T, R> {
  private waiting: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly waitMs = GROUP_WAIT_MS,
    private readonly max = GROUP_MAX,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.max) this.run();
      else this.timer ??= setTimeout(() => this.run(), this.waitMs);
    });
  }

  private run(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    // A flush that throws synchronously still answers its callers.
    Promise.resolve()
      .then(() => this.flush(batch.map((b) => b.item)))
      .then(
        (results) => {
          batch.forEach((b, i) => {
            b.resolve(results[i]!);
          });
        },
        (e: unknown) => {
          for (const b of batch) b.reject(e);
        },
      );
  }
}

/** A submission that passed every check, ready to be stored: its rows and the key its address is limited by. */
export interface Accepted {
  submission: FormSubmissionsTable;
  confirmation: FormConfirmationsTable;
  /** The keyed hash of the address (the per-address limit's subject). */
  addressKey: string;
  /** A filled honeypot: counted against its address like any other, never stored. */
  trapped: boolean;
  /** The anonymous counters a stored submission adds one to: its form's, and the page's it was posted on. */
  counted: CounterTarget[];
}

/**
 * Group commit of public submissions (issue 15, point 12): per process, the submissions that
 * passed validation within a couple of milliseconds are stored in ONE transaction — the
 * per-address limit taken for all of them in one statement, then their submission rows, their
 * waiting changes and their jobs — and each request is answered after that commit. A failed
 * commit fails every request of the batch, and leaves nothing of any (one transaction: a process
 * killed mid-batch leaves the whole batch or none of it). The per-client limit, answered with a
 * 429 before any work, is batched the same way in a statement of its own.
 */
export class FormIntake {
  private readonly clients: Batcher<string, { count: number; retryAfterS: number }>;
  private readonly accepted: Batcher<Accepted, boolean>;

  constructor(
    private readonly db: Db,
    private readonly deps: {
      limiter: Pick<RateLimiter, 'hitMany' | 'keysOf' | 'countKeys'>;
      jobs: Pick<JobQueue, 'enqueueMany'>;
      perClient: Limit;
      perAddress: Limit;
      queue: string;
    },
  ) {
    this.clients = new Batcher((ips) => deps.limiter.hitMany(deps.perClient, ips));
    this.accepted = new Batcher((items) => this.store(items));
  }

  /** Counts one hit of a client against the per-client limit; its count in the window and the seconds until the window ends. */
  hitClient(ip: string): Promise<{ count: number; retryAfterS: number }> {
    return this.clients.add(ip);
  }

  /**
   * Stores the submission with others of the same moment; true once committed, false when dropped (trap, or its address over its limit).
   */
  accept(item: Accepted): Promise<boolean> {
    return this.accepted.add(item);
  }

  private async store(items: Accepted[]): Promise<boolean[]> {
    // Keyed before the transaction: reading the key may need the database, whose one SQLite connection the transaction holds.
    const keys = await this.deps.limiter.keysOf(
      this.deps.perAddress,
      items.map((i) => i.addressKey),
    );
    return this.db.kysely.transaction().execute(async (trx) => {
      const counts = await this.deps.limiter.countKeys(this.deps.perAddress, keys, trx);
      const kept = items.map((item, n) => !item.trapped && counts[n]!.count <= this.deps.perAddress.max);
      const stored = items.filter((_, n) => kept[n]);
      if (stored.length) {
        await q.insertSubmissions(
          trx,
          stored.map((s) => s.submission),
        );
        await q.insertConfirmations(
          trx,
          stored.map((s) => s.confirmation),
        );
        await this.deps.jobs.enqueueMany(
          this.deps.queue,
          stored.map((s) => ({ payload: { submissionId: s.submission.id }, key: `form:${s.submission.id}`, maxAttempts: 3 })),
          { trx },
        );
        await bumpSubmissions(
          trx,
          stored.flatMap((s) => s.counted.map((target) => ({ target, at: s.submission.created_at }))),
        );
      }
      return kept;
    });
  }
}
