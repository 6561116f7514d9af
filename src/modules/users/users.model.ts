import type { UsersTable } from './users.table.ts';

export const ROLES = ['admin', 'marketer', 'privacy_officer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export function toUser(r: UsersTable): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role as Role,
    disabled: r.disabled === 1,
    createdAt: r.created_at,
    lastLoginAt: r.last_login_at,
  };
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** Who is calling, once authenticated. */
export interface Principal {
  kind: 'user' | 'api_key';
  id: string;
  role: Role;
  /** The session used, for logout. */
  sessionId?: string;
}

/** Keys read `assent_<prefix>_<secret>`: the prefix finds the row, the secret is compared by hash. */
export const KEY_RE = /^assent_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
