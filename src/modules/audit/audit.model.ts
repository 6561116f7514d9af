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

/** An entry as the listing shows it: with its actor's name as the directory gives it now (null for system, CLI, unknown). */
export interface NamedAuditItem extends AuditItem {
  actorName: string | null;
}

/** A staff member who can act: a console user (named by address) or an API key (by its name). */
export interface StaffActor {
  type: 'user' | 'api_key';
  id: string;
  name: string;
}

/**
 * Who the ids of the log are (a port: the users module, listed after this one, hands it in).
 * Entries keep ids only; names are looked up when the log is read, so a renamed key reads under
 * its name now.
 */
export interface ActorDirectory {
  all(): Promise<StaffActor[]>;
  names(ids: readonly string[]): Promise<Map<string, string>>;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };
export const CLI_ACTOR: Actor = { type: 'cli', id: null };
