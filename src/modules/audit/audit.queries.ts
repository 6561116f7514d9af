import { countOrEstimate } from '../../db/estimate.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { AuditLogTable } from './audit.table.ts';

export async function insertAudit(db: Kysely<Database>, row: AuditLogTable): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

export interface AuditFilter {
  action?: string;
  targetType?: string;
  targetId?: string;
  actorId?: string;
  actorType?: string;
  outcome?: string;
  since?: string;
  until?: string;
}

function filtered(db: Kysely<Database>, f: AuditFilter) {
  let q = db.selectFrom('audit_log');
  if (f.action) q = q.where('action', '=', f.action);
  if (f.targetType) q = q.where('target_type', '=', f.targetType);
  if (f.targetId) q = q.where('target_id', '=', f.targetId);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.actorType) q = q.where('actor_type', '=', f.actorType);
  if (f.outcome) q = q.where('outcome', '=', f.outcome);
  if (f.since) q = q.where('at', '>=', f.since);
  if (f.until) q = q.where('at', '<', f.until);
  return q;
}

/** Newest first; `before` is the id of the last row of the previous page (ids are time-ordered). */
export async function listAudit(db: Kysely<Database>, f: AuditFilter, limit: number, before?: string): Promise<AuditLogTable[]> {
  let q = filtered(db, f).selectAll();
  if (before) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/** The listing's total: counted when filtered, estimated for the whole of a large log (src/db/estimate.ts). */
export function countAudit(db: Kysely<Database>, f: AuditFilter) {
  const any = Object.values(f).some((v) => v !== undefined && v !== '');
  return countOrEstimate(db, 'audit_log', any, async () => {
    const r = await filtered(db, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  });
}
