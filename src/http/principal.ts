/**
 * Who calls and who acted: the words access control (access.ts, auth.ts) is written in. They live
 * in the HTTP layer, below the modules; the users and audit modules re-export them.
 */

export const ROLES = ['admin', 'marketer', 'privacy_officer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

/** Who is calling, once authenticated. */
export interface Principal {
  kind: 'user' | 'api_key';
  id: string;
  role: Role;
  /** The session used, for logout. */
  sessionId?: string;
}

/** Who acted. Audit entries name actors and targets by id only: never personal values. */
export interface Actor {
  type: 'user' | 'api_key' | 'system' | 'cli' | 'anonymous';
  id: string | null;
}
