import { defineModule } from '../module.ts';
import { auditDataMap } from './audit.data-map.ts';
import { auditRoutes } from './audit.routes.ts';
import { AuditService } from './audit.service.ts';
import type { AuditLogTable } from './audit.table.ts';
import * as m0017 from './migrations/0017_audit_count.ts';

// What other modules may use: who acts, and the audit service they write through.
export { type Actor, type ActorDirectory, CLI_ACTOR, SYSTEM_ACTOR } from './audit.model.ts';
export type { AuditService } from './audit.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    audit_log: AuditLogTable;
  }
}

export const audit = defineModule({
  name: 'audit',
  needs: [],
  dataMap: auditDataMap,
  migrations: { '0017_audit_count': m0017 },
  create: (core) => ({ audit: new AuditService(core.db, core.clock) }),
  routes: (s) => [{ prefix: '/api/v1', plugin: auditRoutes(s) }],
});
