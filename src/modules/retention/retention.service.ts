import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { SideEffects } from '../../jobs/effects.ts';
import { parseDuration, subtractDuration } from '../../lib/duration.ts';
import type { Actor, AuditService } from '../audit/module.ts';
import type { DataMapService } from '../datamap/module.ts';

export interface RetentionItem {
  table: string;
  after: string;
  from: string;
  cutoff: string;
  rows: number;
}

const BATCH = 5000;

/**
 * Retention, driven by the data map: every table that declares `retention` loses the rows
 * whose `from` timestamp is older than the duration. Nothing here names a table, so a new
 * table (or a custom entity) with a retention policy is covered by declaring it.
 */
export class RetentionService {
  private readonly effects: SideEffects;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly datamap: DataMapService,
    private readonly audit: AuditService,
  ) {
    this.effects = new SideEffects(db, clock);
  }

  /** What a run would delete now. */
  async preview(): Promise<RetentionItem[]> {
    const out: RetentionItem[] = [];
    for (const p of await this.policies()) {
      const r = await sql<{
        n: number;
      }>`select count(*) as n from ${sql.table(p.table)} where ${sql.ref(p.from)} is not null and ${sql.ref(p.from)} < ${p.cutoff}`.execute(
        this.db.kysely,
      );
      out.push({ ...p, rows: Number(r.rows[0]!.n) });
    }
    return out;
  }

  /**
   * Deletes expired rows in batches (short write locks), then records one audit entry for the
   * run. With a `key` (the job's), a run repeated after a crash deletes what expired meanwhile
   * but records no second entry: deleting is idempotent, the entry is written once under the key.
   */
  async run(opts: { dryRun?: boolean; actor: Actor; key?: string }): Promise<RetentionItem[]> {
    if (opts.dryRun) return this.preview();
    const out: RetentionItem[] = [];
    for (const p of await this.policies()) {
      let rows = 0;
      for (;;) {
        // Batches by rowid-free portable means: delete the oldest BATCH rows by the timestamp.
        const r =
          await sql`delete from ${sql.table(p.table)} where ${sql.ref(p.from)} in (select ${sql.ref(p.from)} from ${sql.table(p.table)}
            where ${sql.ref(p.from)} is not null and ${sql.ref(p.from)} < ${p.cutoff} order by ${sql.ref(p.from)} limit
            ${sql.lit(BATCH)})`.execute(this.db.kysely);
        const n = Number(r.numAffectedRows ?? 0);
        rows += n;
        if (n === 0) break;
      }
      out.push({ ...p, rows });
    }
    // SQLite: secure_delete zeroed the deleted cells, but the write-ahead log still holds the pages as they were until a
    // checkpoint copies the new ones into the file and TRUNCATE empties it. Expired data (a friend's address kept 30
    // days) must be gone from the file, not only from the tables. A reader holding the log makes this a no-op: the
    // next run empties it. Not the erasure's guarantee (it waits and verifies); best effort, daily.
    if (this.db.dialect === 'sqlite' && out.some((i) => i.rows > 0)) this.db.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
    const entry = { actor: opts.actor, action: 'retention.run', targetType: 'retention', outcome: 'ok' } as const;
    if (opts.key === undefined) await this.audit.record(entry);
    else {
      const key = opts.key;
      await this.db.kysely.transaction().execute(async (trx) => {
        if (await this.effects.once(key, trx)) await this.audit.record(entry, trx);
      });
    }
    return out;
  }

  private async policies(): Promise<Omit<RetentionItem, 'rows'>[]> {
    const now = this.clock.now();
    const map = await this.datamap.getMap();
    return map.tables
      .filter((t) => t.retention)
      .map((t) => {
        const d = parseDuration(t.retention!.after);
        if (!d) throw new Error(`table ${t.name} declares an invalid retention ${t.retention!.after}`);
        return { table: t.name, after: t.retention!.after, from: t.retention!.from, cutoff: subtractDuration(now, d).toISOString() };
      });
  }
}
