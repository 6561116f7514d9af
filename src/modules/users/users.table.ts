export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  role: string;
  password_hash: string;
  disabled: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  role: string;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

/** A subject failed logins count against; `key` and `address_key` are keyed hashes (login-throttle.service.ts). */
export interface LoginThrottleTable {
  key: string;
  address_key: string | null;
  failures: number;
  last_at: string;
  next_at: string | null;
  good_until: string | null;
  expires_at: string;
}
