import type { Actor } from '../../http/principal.ts';

// The actor is what the HTTP layer makes of a request's principal: declared there, named here too.
export type { Actor } from '../../http/principal.ts';

export interface AuditEntry {
  actor: Actor;
  /** `<area>.<verb>`, e.g. `settings.update`, `contact.view`, `session.create`. */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  requestId?: string | null;
  /** How many records a bulk action covered: one entry per bulk action, with its count. */
  count?: number | null;
}

export interface AuditItem {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  requestId: string | null;
  count: number | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };
export const CLI_ACTOR: Actor = { type: 'cli', id: null };
