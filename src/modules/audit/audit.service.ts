import type { Kysely } from 'kysely';
import type { Db } from '../database.ts';
import type { Database } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { ActorDirectory, AuditEntry, AuditItem, NamedAuditItem, StaffActor } from './audit.model.ts';
import { countAudit, insertAudit, listAudit, type AuditFilter } from './audit.queries.ts';

const SAFE = /^[A-Za-z0-9_.:-]{1,120}$/;

/**
 * The one way to write the audit log (invariant 3: append-only, no personal values).
 * Actions, target types and ids are checked against a narrow character set so a caller
 * cannot slip an email address or a name into the log by mistake.
 */
export class AuditService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private directory: ActorDirectory = { all: async () => [], names: async () => new Map() };

  /** The users module names the log's actors (it comes after this one, so it hands its directory in). */
  nameActorsWith(directory: ActorDirectory): void {
    this.directory = directory;
  }

  /** Every staff actor the log can name, for choosing whose entries to see. */
  actors(): Promise<StaffActor[]> {
    return this.directory.all();
  }

  /** Pass a transaction to make the entry commit or roll back with the change it records. */
  async record(entry: AuditEntry, trx?: Kysely<Database>): Promise<void> {
    for (const [k, v] of [
      ['action', entry.action],
      ['targetType', entry.targetType],
      ['targetId', entry.targetId],
      ['actorId', entry.actor.id],
      ['requestId', entry.requestId],
    ] as const) {
      if (v != null && !SAFE.test(v)) throw new Error(`audit ${k} must be an identifier, not free text`);
    }
    await insertAudit(trx ?? this.db.kysely, {
      id: newId(),
      at: this.clock.now().toISOString(),
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      outcome: entry.outcome,
      request_id: entry.requestId ?? null,
      count: entry.count ?? null,
    });
  }

  /** The listing's total (exact, or an estimate for the whole of a large log on PostgreSQL). */
  count(filter: AuditFilter): Promise<{ total: number; isEstimate: boolean }> {
    return countAudit(this.db.kysely, filter);
  }

  async list(filter: AuditFilter, limit: number, before?: string): Promise<AuditItem[]> {
    const rows = await listAudit(this.db.kysely, filter, limit, before);
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actorType: r.actor_type,
      actorId: r.actor_id,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      outcome: r.outcome,
      requestId: r.request_id,
      count: r.count === null ? null : Number(r.count),
    }));
  }

  /** The entries with their staff actors named (a user's email, a key's name): what the listing shows, never what is stored. */
  async named(items: AuditItem[]): Promise<NamedAuditItem[]> {
    const staff = [...new Set(items.filter((e) => e.actorType === 'user' || e.actorType === 'api_key').flatMap((e) => e.actorId ?? []))];
    const names = await this.directory.names(staff);
    return items.map((e) => ({ ...e, actorName: (e.actorId && names.get(e.actorId)) ?? null }));
  }
}
