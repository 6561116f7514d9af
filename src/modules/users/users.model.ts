import type { Role } from '../../http/principal.ts';
import type { UsersTable } from './users.table.ts';

// Roles and principals are what access control checks (src/http): declared there, named here too.
export { isRole, ROLES, type Principal, type Role } from '../../http/principal.ts';

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

/** Keys read `assent_<prefix>_<secret>`: the prefix finds the row, the secret is compared by hash. */
export const KEY_RE = /^assent_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
