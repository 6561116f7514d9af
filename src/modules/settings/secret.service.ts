import { randomBytes } from 'node:crypto';
import type { Db } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { hmac } from '../../lib/crypto.ts';
import { emailKey, legacyEmailForm } from '../../lib/email.ts';
import { insertMissing } from './settings.queries.ts';

export const INSTALLATION_SECRET_KEY = 'installation_secret';
const KEY = INSTALLATION_SECRET_KEY;

/**
 * The installation's secret: signs links in emails and keys the hashes of erased addresses.
 * ASSENT_SECRET (at least 32 characters) wins; otherwise a random one is made on first boot
 * and kept in the settings table, which the settings API never returns. Keeping it in the
 * environment instead means a copy of the database alone cannot test guesses against the
 * suppression hashes.
 */
export class SecretService {
  private cached: Buffer | null = null;
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly fromEnv: string | undefined,
  ) {}

  async key(): Promise<Buffer> {
    if (this.cached) return this.cached;
    if (this.fromEnv) return (this.cached = Buffer.from(this.fromEnv));
    await insertMissing(
      this.db.kysely,
      [{ key: KEY, value: JSON.stringify(randomBytes(32).toString('base64')) }],
      this.clock.now().toISOString(),
    );
    const row = await this.db.kysely.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirstOrThrow();
    // The secret never changes once made, so every process may keep it after the first read.
    return (this.cached = Buffer.from(JSON.parse(row.value) as string, 'base64'));
  }

  /** The keyed hash of an address's match key (emailKey), as suppressions and cases keep it from now on. */
  async emailHash(email: string): Promise<string> {
    return hmac(await this.key(), `email:${emailKey(email)}`);
  }

  /**
   * Every hash the address may be stored under: its key's, and the one the first contract made
   * (local part as typed, see legacyEmailForm), which suppressions and cases made before the
   * key still hold. An address typed in another case than then is not found under the old hash.
   */
  async emailHashes(email: string): Promise<string[]> {
    const key = await this.key();
    return [...new Set([hmac(key, `email:${emailKey(email)}`), hmac(key, `email:${legacyEmailForm(email)}`)])];
  }
}
