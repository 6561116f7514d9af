import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from '../../database.ts';
import { partitionedTables, partitionsOf } from '../../../db/partitions.ts';
import { JobQueue } from '../../../jobs/queue.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { SecretService } from '../../settings/module.ts';
import type { StorageStatus } from './erasure.model.ts';
import * as q from './purge.queries.ts';
import { PageMatcher, type Term } from './purge.terms.ts';

/** The queue of storage purges: one job per relation and window, payload `{ relation, due }`. */
export const PURGE_QUEUE = 'storage.purge';
/** Erasures within one window share a relation's rewrite, which runs when the window ends. */
export const DEFAULT_PURGE_WINDOW_MS = 60_000;
/** A rewrite waits this long for its lock, then the job tries again later rather than queue every reader behind it. */
const LOCK_TIMEOUT = '10s';
const PAGES_PER_READ = 512;
const HORIZON_POLL_MS = 200;
const HORIZON_WAIT_MS = 30_000;
/** How often a relation is rewritten again when its pages still hold an identifier afterwards. */
const REWRITES_WHEN_FOUND = 2;
/**
 * Snapshots and running transactions (of any session in this database, walsenders, slots, prepared
 * transactions) as old as the mark ($1, a 32-bit xid) or older. A transaction between two
 * statements holds no snapshot but its xid still holds the horizon back, as PostgreSQL counts it.
 */
const OLDER_SNAPSHOTS =
  `
  select count(*)::int as n from (
    select backend_xmin as x from pg_stat_activity where backend_xmin is not null and pid <> pg_backend_pid() and (datname = ` +
  `current_database() or datname is null)
    union all select backend_xid from pg_stat_activity where backend_xid is not null and pid <> pg_backend_pid() and (datname = ` +
  `current_database() or datname is null)
    union all select xmin from pg_replication_slots where xmin is not null and (database = current_database() or database is null)
    union all select catalog_xmin from pg_replication_slots where catalog_xmin is not null and (database = current_database() ` +
  `or database is null)
    union all select transaction from pg_prepared_xacts where database = current_database()
  ) h where age(h.x) >= age($1::text::xid)`;

export const OUTSIDE_LIVE_FILES =
  'copies outside the live files (write-ahead log until recycled, WAL archives, base backups, replicas) are not covered: see ' +
  'docs/storage.md';

/**
 * PostgreSQL's storage purge after an erasure (SQLite's is done by the erasure itself, see
 * hidden-copies.ts). Inside the erasure's transaction, `schedule` records which relations
 * held the person (the partitions their keys hash to, of every partitioned table, and the small
 * tables the erasure touched) and asks for one job per relation, due at the end of the current
 * window, so that erasures in a window share one rewrite. The job rewrites the relation with
 * VACUUM FULL (its indexes and TOAST table with it), reads the new pages back through
 * pageinspect where the server allows it, and completes the receipts whose relations are all
 * done: `pending` until then, then `purged` (or `failed`) with the time and what was checked.
 */
export class StoragePurgeService {
  private readonly jobs: JobQueue;
  /** How long a rewrite waits for older snapshots to close before the job tries again later. */
  horizonWaitMs = HORIZON_WAIT_MS;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly secret: SecretService,
    private readonly windowMs: number = DEFAULT_PURGE_WINDOW_MS,
  ) {
    this.jobs = new JobQueue(db, clock);
  }

  /** When a relation asked for now is rewritten: the end of the current window. */
  private due(): string {
    const now = this.clock.now().getTime();
    const w = Math.max(1, this.windowMs);
    return new Date(Math.ceil((now + 1) / w) * w).toISOString();
  }

  /**
   * The relations that hold, or held, rows of these people: every partition their contact ids
   * (or, for the address registry, their address keys) hash to, whether rows are there now or
   * not (an earlier delete or update left its old bytes there too), and the unpartitioned
   * tables in `touched`. PostgreSQL only; [] elsewhere.
   */
  async relationsOf(trx: Kysely<Database>, who: { contactIds: string[]; emailKeys: string[] }, touched: string[]): Promise<string[]> {
    if (this.db.dialect !== 'postgres') return [];
    const out = new Set<string>();
    const parted = await partitionedTables(trx);
    for (const t of parted) {
      const values = t.key === 'email_key' ? who.emailKeys : who.contactIds;
      for (const p of await partitionsOf(trx, t, values)) out.add(p);
    }
    const partedNames = new Set(parted.map((t) => t.table));
    for (const t of touched) if (!partedNames.has(t)) out.add(t);
    return [...out].sort();
  }

  /** Inside the erasure's transaction: the receipts wait for these relations' rewrite; the jobs exist exactly when the erasure does. */
  async schedule(trx: Transaction<Database>, receiptIds: string[], relations: string[], terms: Term[]): Promise<void> {
    if (this.db.dialect !== 'postgres' || relations.length === 0) return;
    const due = await this.enqueue(relations, trx);
    await q.insertPurges(
      trx,
      receiptIds.flatMap((receipt_id) =>
        relations.map((relation) => ({ receipt_id, relation, due_at: due.get(relation)!, done_at: null, outcome: null })),
      ),
    );
    await q.insertTerms(
      trx,
      receiptIds.flatMap((receipt_id) => terms.map((t) => ({ receipt_id, length: t.length, prefilter: t.prefilter, digest: t.digest }))),
    );
  }

  /**
   * A row moved to another partition (an address change moves its registry row): its old
   * version stays in the partition it left. That partition is rewritten in the next window.
   */
  async scheduleMoved(trx: Transaction<Database>, table: string, keyValue: string): Promise<void> {
    if (this.db.dialect !== 'postgres') return;
    const t = (await partitionedTables(trx)).find((x) => x.table === table);
    if (!t) return;
    await this.enqueue(await partitionsOf(trx, t, [keyValue]), trx);
  }

  /** After the erasure's commit: more relations for its receipts (statistics re-gathered by the scan). */
  async scheduleMore(receiptIds: string[], relations: string[]): Promise<void> {
    if (this.db.dialect !== 'postgres' || relations.length === 0 || receiptIds.length === 0) return;
    await this.db.kysely.transaction().execute(async (trx) => {
      const due = await this.enqueue(relations, trx);
      await q.insertPurges(
        trx,
        receiptIds.flatMap((receipt_id) =>
          relations.map((relation) => ({ receipt_id, relation, due_at: due.get(relation)!, done_at: null, outcome: null })),
        ),
      );
    });
  }

  /**
   * One job per relation and window. A window's job that has started already cannot count on
   * seeing rows committed after it read them: then the next window's job is asked for.
   * Returns when each relation is due.
   */
  private async enqueue(relations: string[], trx: Transaction<Database>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const relation of relations) {
      let due = this.due();
      for (;;) {
        const job = await this.jobs.enqueue(
          PURGE_QUEUE,
          { relation, due },
          { key: `${PURGE_QUEUE}:${relation}:${due}`, runAt: new Date(due), maxAttempts: 10, trx },
        );
        if (job.status === 'queued') break;
        due = new Date(new Date(due).getTime() + Math.max(1, this.windowMs)).toISOString();
      }
      out.set(relation, due);
    }
    return out;
  }

  /**
   * The safety net (run with the daily schedule's tick): purges still pending after their window
   * whose job cannot see them (it ran before their erasure committed) get a job in the next one.
   */
  async sweep(): Promise<number> {
    if (this.db.dialect !== 'postgres') return 0;
    const before = new Date(this.clock.now().getTime() - Math.max(1, this.windowMs)).toISOString();
    const relations = await q.overdueRelations(this.db.kysely, before);
    if (relations.length) await this.db.kysely.transaction().execute((trx) => this.enqueue(relations, trx));
    return relations.length;
  }

  /** The job: rewrite one relation, read it back, complete the receipts that waited for it. */
  async run(payload: unknown): Promise<void> {
    const { relation, due } = (payload ?? {}) as { relation?: unknown; due?: unknown };
    if (typeof relation !== 'string' || typeof due !== 'string' || this.db.dialect !== 'postgres')
      throw new Error('the job names no relation to purge');
    const receipts = await q.pendingReceipts(this.db.kysely, relation, due);
    const outcomes = new Map<string, string>();
    // Only relations of this schema are rewritten; one dropped since (a custom entity) took its files with it.
    const exists = await q.relationExists(this.db.kysely, relation);
    const rewritten = exists ? await this.rewrite(relation) : { ok: true as const };
    if (!exists) {
      for (const r of receipts) outcomes.set(r, 'dropped since: its files were removed');
    } else if (!rewritten.ok) {
      for (const r of receipts) outcomes.set(r, `not rewritten: ${rewritten.why}`);
    } else {
      let checked = await this.readBack(relation, receipts);
      // An identifier read back means a transaction older than the rewrite still held the row
      // versions back: wait for what is open now to end, and rewrite again (bounded).
      for (let again = 0; again < REWRITES_WHEN_FOUND && [...checked.values()].some((o) => o.includes('FOUND')); again++) {
        if (!(await this.rewrite(relation)).ok) break;
        checked = await this.readBack(relation, receipts);
      }
      // Still found: say what held the horizon back then (process kinds and transaction ages, no
      // query text), so that an operator can find the long transaction.
      const holders = [...checked.values()].some((o) => o.includes('FOUND')) ? await q.horizonHolders(this.db.kysely) : '';
      for (const r of receipts) outcomes.set(r, holders ? `${checked.get(r)!} (${holders})` : checked.get(r)!);
    }
    const now = this.clock.now().toISOString();
    await q.markDone(this.db.kysely, relation, outcomes, now);
    // Erasures that committed after the pending rows were read wait for the next window.
    if (await q.stillPending(this.db.kysely, relation, due))
      await this.db.kysely.transaction().execute((trx) => this.enqueue([relation], trx));
    for (const { receiptId, purges } of await q.completed(this.db.kysely, receipts)) {
      const failed = purges.filter((p) => p.outcome?.startsWith('not rewritten'));
      const found = purges.filter((p) => p.outcome?.includes('FOUND'));
      const read = purges.filter((p) => p.outcome?.includes('pages read back')).length;
      const unread = [...new Set(purges.map((p) => /not read back: (.*)$/.exec(p.outcome ?? '')?.[1]).filter(Boolean))];
      const inPages = found.length
        ? `an identifier FOUND in ${found.map((p) => p.relation).join(', ')}`
        : 'none of the person’s addresses or phone numbers found';
      const parts = [
        `PostgreSQL: ${purges.length - failed.length} of ${purges.length} relations that held the person rewritten by VACUUM FULL ` +
          `(their indexes and TOAST tables with ` +
          `them)${failed.length ? `; not rewritten: ${failed.map((p) => `${p.relation} (${p.outcome})`).join(', ')}` : ''}`,
        read ? `pageinspect read the pages of ${read} of them back: ${inPages}` : '',
        unread.length ? `pages not read back: ${unread.join('; ')}` : '',
        OUTSIDE_LIVE_FILES,
      ].filter(Boolean);
      await q.setReceiptStorage(this.db.kysely, [receiptId], {
        storage_status: failed.length || found.length ? 'failed' : 'purged',
        storage_purged_at: now,
        storage_verification: parts.join('; '),
      });
      await q.deleteTerms(this.db.kysely, [receiptId]);
    }
  }

  /**
   * VACUUM FULL on a connection of its own: it cannot run in a transaction, and its lock waits
   * only so long. It copies every row version some open snapshot might still see, deleted ones
   * included: first it waits until every snapshot in the database (and every replication slot
   * and prepared transaction holding one back) is newer than this moment, which is after the
   * erasures it serves committed. An old snapshot that stays open fails the job, which tries
   * again later.
   */
  private async rewrite(relation: string): Promise<{ ok: true } | { ok: false; why: string }> {
    const client = await this.db.pool!.connect();
    try {
      const mark = (
        await client.query<{ x: string }>(`select (pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296)::text as x`)
      ).rows[0]!.x;
      for (let waited = 0; ; waited += HORIZON_POLL_MS) {
        const older = (await client.query<{ n: number }>(OLDER_SNAPSHOTS, [mark])).rows[0]!.n;
        if (older === 0) break;
        if (waited >= this.horizonWaitMs)
          throw new Error(
            'an older snapshot (a long transaction, a replication slot or a prepared transaction) still sees the erased rows; ' +
              'trying again later',
          );
        await new Promise((r) => setTimeout(r, HORIZON_POLL_MS));
      }
      await client.query(`set lock_timeout = '${LOCK_TIMEOUT}'`);
      const name = relation === 'pg_statistic' ? 'pg_catalog.pg_statistic' : `"${relation.replace(/"/g, '""')}"`;
      await client.query(`vacuum (full) ${name}`);
      return { ok: true };
    } catch (e) {
      // Not allowed to (pg_statistic needs the database owner): say so; anything else (a lock
      // not granted in time) fails the job, which tries again later.
      if ((e as { code?: string }).code === '42501')
        return { ok: false, why: 'the database role may not rewrite it (it needs the owner of the relation or the database)' };
      throw e;
    } finally {
      await client.query('reset lock_timeout').catch(() => undefined);
      client.release();
    }
  }

  /** Per receipt, what reading the rewritten pages back found (or why they could not be read). */
  private async readBack(relation: string, receipts: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const can = await q.canInspectPages(this.db.kysely);
    if (!can.ok) {
      for (const r of receipts) out.set(r, `rewritten; not read back: ${can.why}`);
      return out;
    }
    const terms = await q.termsOfReceipts(this.db.kysely, receipts);
    const matcher = new PageMatcher(await this.secret.key(), terms);
    const found = new Set<string>();
    let pages = 0;
    if (!matcher.empty) {
      for (const rel of await q.storageOf(this.db.kysely, relation)) {
        for (let from = 0; from < rel.pages; from += PAGES_PER_READ) {
          for (const page of await q.rawPages(this.db.kysely, rel.name, from, Math.min(rel.pages, from + PAGES_PER_READ))) {
            for (const d of matcher.find(page)) found.add(d);
            pages++;
          }
        }
      }
    }
    for (const r of receipts) {
      const mine = terms.filter((t) => t.receipt_id === r);
      const hit = mine.some((t) => found.has(t.digest));
      out.set(
        r,
        mine.length
          ? `rewritten; ${pages} pages read back (pageinspect): ${hit ? 'an identifier FOUND' : 'no identifier'}`
          : 'rewritten; not read back: no address or phone number to look for',
      );
    }
    return out;
  }
}

/** SQLite's purge is the erasure's own: described once, for its receipts. */
export function sqliteVerification(residue: string[]): { status: StorageStatus['status']; verification: string } {
  const file = residue.filter((h) => h.startsWith('file:') || h.startsWith('checkpoint:') || h === 'scan:failed');
  return {
    status: file.length ? 'failed' : 'purged',
    verification: [
      'SQLite: secure_delete overwrote the deleted cells and freed pages; the write-ahead log was checkpointed (TRUNCATE) into the ' +
        'database file after the commit',
      file.length
        ? `the residue scan of the file's and the log's bytes found: ${file.join(', ')}`
        : 'the residue scan read the database file’s and the log’s bytes: none of the person’s identifiers found',
      OUTSIDE_LIVE_FILES,
    ].join('; '),
  };
}
