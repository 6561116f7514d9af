import { tableTotal } from '../../db/estimate.ts';
import { randomBytes } from 'node:crypto';
import type { Db } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, randomToken, safeEqual, sha256, verifyPassword } from '../../lib/crypto.ts';
import { isValidEmail, normaliseEmail } from '../../lib/email.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { LoginThrottle } from './login-throttle.service.ts';
import { KEY_RE, isRole, toUser, type ApiKey, type Principal, type Role, type User } from './users.model.ts';
import * as q from './users.queries.ts';
import type { ApiKeysTable } from './users.table.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MIN_PASSWORD = 12;

function alnum(n: number): string {
  const b = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[b[i]! % ALNUM.length];
  return s;
}

export function generatePassword(): string {
  return randomToken(18);
}

function toKey(r: ApiKeysTable): ApiKey {
  return {
    id: r.id,
    name: r.name,
    role: r.role as ApiKey['role'],
    prefix: r.prefix,
    createdBy: r.created_by,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

/** Staff users, console sessions and API keys. Secrets are stored only as hashes. */
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sessionTtlMs: number,
    private readonly throttle: LoginThrottle,
  ) {}

  async createUser(input: { email: string; role: string; password: string; name?: string | null }): Promise<User> {
    const email = normaliseEmail(input.email);
    if (!isValidEmail(email))
      throw new AppError('validation_failed', 'not a valid email address', [{ path: '/email', message: 'invalid email' }]);
    if (!isRole(input.role))
      throw new AppError('validation_failed', `role must be one of admin, marketer, privacy_officer, viewer`, [
        { path: '/role', message: 'unknown role' },
      ]);
    if (input.password.length < MIN_PASSWORD)
      throw new AppError('validation_failed', `password must have at least ${MIN_PASSWORD} characters`, [
        { path: '/password', message: 'too short' },
      ]);
    if (await q.userByEmail(this.db.kysely, email)) throw new AppError('user_exists', 'a user with this email already exists');
    const now = this.clock.now().toISOString();
    const row = {
      id: newId(),
      email,
      name: input.name ?? null,
      role: input.role,
      password_hash: await hashPassword(input.password),
      disabled: 0,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    };
    try {
      await q.insertUser(this.db.kysely, row);
    } catch (e) {
      // Two creates racing for one address: the unique index decides.
      if (await q.userByEmail(this.db.kysely, email)) throw new AppError('user_exists', 'a user with this email already exists');
      throw e;
    }
    return toUser(row);
  }

  async countUsers(): Promise<number> {
    return q.countUsers(this.db.kysely);
  }

  async getUser(id: string): Promise<User> {
    const r = await q.userById(this.db.kysely, id);
    if (!r) throw new AppError('not_found', 'no such user');
    return toUser(r);
  }

  /** Totals of the user and key listings (src/db/estimate.ts). */
  usersTotal(): Promise<{ total: number; isEstimate: boolean }> {
    return tableTotal(this.db.kysely, 'users');
  }

  keysTotal(): Promise<{ total: number; isEstimate: boolean }> {
    return tableTotal(this.db.kysely, 'api_keys');
  }

  async listUsers(limit: number, after?: string): Promise<User[]> {
    return (await q.listUsers(this.db.kysely, limit, after)).map(toUser);
  }

  async updateUser(id: string, patch: { name?: string | null; role?: Role; disabled?: boolean; password?: string }): Promise<User> {
    const current = await q.userById(this.db.kysely, id);
    if (!current) throw new AppError('not_found', 'no such user');
    if (patch.password !== undefined && patch.password.length < MIN_PASSWORD) {
      throw new AppError('validation_failed', `password must have at least ${MIN_PASSWORD} characters`, [
        { path: '/password', message: 'too short' },
      ]);
    }
    const set: Parameters<typeof q.updateUser>[2] = { updated_at: this.clock.now().toISOString() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
    if (patch.password !== undefined) set.password_hash = await hashPassword(patch.password);
    await this.db.kysely.transaction().execute(async (trx) => {
      await q.updateUser(trx, id, set);
      // A disabled user or a changed password ends every open session.
      if (patch.disabled || patch.password !== undefined) await q.deleteUserSessions(trx, id);
    });
    return this.getUser(id);
  }

  /**
   * A user changes their own password: the current one is required (a session left open on a
   * shared machine must not be enough to take the account), and every other session of the user
   * ends, so whoever holds one of them is out; the session that asked stays.
   */
  async changeOwnPassword(
    userId: string,
    current: string,
    next: string,
    keepSession: string | undefined,
    client: string | undefined,
  ): Promise<void> {
    const row = await q.userById(this.db.kysely, userId);
    if (!row || row.disabled === 1) throw new AppError('not_found', 'no such user');
    // A guess of the current password is a guess of the login's: the same throttle, by the user's address.
    const attempt = await this.throttle.admit(row.email, client);
    if (!(await verifyPassword(current, row.password_hash)))
      throw new AppError('validation_failed', 'the current password is wrong', [
        { path: '/currentPassword', message: 'not the current password' },
      ]);
    await this.throttle.succeeded(attempt);
    if (next.length < MIN_PASSWORD)
      throw new AppError('validation_failed', `password must have at least ${MIN_PASSWORD} characters`, [
        { path: '/newPassword', message: 'too short' },
      ]);
    const hash = await hashPassword(next);
    await this.db.kysely.transaction().execute(async (trx) => {
      await q.updateUser(trx, userId, { password_hash: hash, updated_at: this.clock.now().toISOString() });
      if (keepSession) await q.deleteOtherSessions(trx, userId, keepSession);
      else await q.deleteUserSessions(trx, userId);
    });
  }

  /**
   * Checks a login. An unknown address costs the same scrypt work as a wrong password, so
   * timing does not tell which addresses have accounts.
   */
  async authenticate(email: string, password: string): Promise<User> {
    const row = await q.userByEmail(this.db.kysely, normaliseEmail(email));
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_PASSWORD_HASH);
    if (!row || !ok || row.disabled === 1) throw new AppError('invalid_credentials', 'email or password is wrong');
    return toUser(row);
  }

  /**
   * A login from a client: the attempt is counted by the login throttle before the password is
   * checked (a delayed attempt is refused with `rate_limited` without checking it), and a right
   * password takes the count back. Known and unknown addresses go through the same steps.
   */
  async login(email: string, password: string, client: string | undefined): Promise<User> {
    const attempt = await this.throttle.admit(email, client);
    const user = await this.authenticate(email, password);
    await this.throttle.succeeded(attempt);
    return user;
  }

  /** Clears the login throttle of an address (`assent users unlock`): how many entries went, and whose address it is. */
  async unlock(email: string): Promise<{ removed: number; userId: string | null }> {
    const removed = await this.throttle.unlock(email);
    const row = await q.userByEmail(this.db.kysely, normaliseEmail(email));
    return { removed, userId: row?.id ?? null };
  }

  async createSession(userId: string): Promise<{ token: string; sessionId: string; expiresAt: string }> {
    const now = this.clock.now();
    const token = randomToken(32);
    const sessionId = newId();
    const expiresAt = new Date(now.getTime() + this.sessionTtlMs).toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      await q.insertSession(trx, {
        id: sessionId,
        token_hash: sha256(token),
        user_id: userId,
        created_at: now.toISOString(),
        expires_at: expiresAt,
      });
      await q.updateUser(trx, userId, { last_login_at: now.toISOString() });
    });
    return { token, sessionId, expiresAt };
  }

  async resolveSession(token: string): Promise<Principal | null> {
    if (!token || token.length > 100) return null;
    const r = await q.activeSession(this.db.kysely, sha256(token), this.clock.now().toISOString());
    if (!r || !isRole(r.role)) return null;
    return { kind: 'user', id: r.user_id, role: r.role, sessionId: r.session_id };
  }

  async endSession(sessionId: string): Promise<void> {
    await q.deleteSession(this.db.kysely, sessionId);
  }

  /** Returns the key record and its secret, which is shown once and never stored. */
  async createKey(input: { name: string; role: string; createdBy?: string | null }): Promise<{ key: ApiKey; secret: string }> {
    if (!isRole(input.role))
      throw new AppError('validation_failed', 'role must be one of admin, marketer, privacy_officer, viewer', [
        { path: '/role', message: 'unknown role' },
      ]);
    const name = input.name.trim();
    if (!name || name.length > 100)
      throw new AppError('validation_failed', 'name must have 1 to 100 characters', [{ path: '/name', message: 'invalid name' }]);
    const prefix = alnum(12);
    const secretPart = randomToken(32);
    const row: ApiKeysTable = {
      id: newId(),
      name,
      prefix,
      secret_hash: sha256(secretPart),
      role: input.role,
      created_by: input.createdBy ?? null,
      created_at: this.clock.now().toISOString(),
      revoked_at: null,
    };
    await q.insertKey(this.db.kysely, row);
    return { key: toKey(row), secret: `assent_${prefix}_${secretPart}` };
  }

  /** Keys are random and long, so a fast hash is enough; the comparison is constant-time. */
  async resolveKey(presented: string): Promise<Principal | null> {
    const m = KEY_RE.exec(presented);
    if (!m) return null;
    const row = await q.keyByPrefix(this.db.kysely, m[1]!);
    if (!row || !safeEqual(row.secret_hash, sha256(m[2]!)) || !isRole(row.role)) return null;
    return { kind: 'api_key', id: row.id, role: row.role };
  }

  async listKeys(limit: number, after?: string): Promise<ApiKey[]> {
    return (await q.listKeys(this.db.kysely, limit, after)).map(toKey);
  }

  /** The staff the audit log names (its actor directory): every user and key, revoked and disabled ones too. */
  staffActors(): Promise<{ type: 'user' | 'api_key'; id: string; name: string }[]> {
    return q.staffActors(this.db.kysely);
  }

  /** A user's address or a key's name for each id that names one. */
  actorNames(ids: readonly string[]): Promise<Map<string, string>> {
    return q.actorNames(this.db.kysely, ids);
  }

  async revokeKey(id: string): Promise<void> {
    const r = await q.revokeKey(this.db.kysely, id, this.clock.now().toISOString());
    if (Number(r.numUpdatedRows) === 0) {
      if (!(await q.keyById(this.db.kysely, id))) throw new AppError('not_found', 'no such key');
    }
  }
}
