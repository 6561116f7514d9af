import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { DbTarget } from '../../db/connect.ts';
import { isDatabaseFile } from '../../db/files.ts';
import { hmac } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';

export type LedgerKeySource = 'ASSENT_LEDGER_KEY' | 'ASSENT_LEDGER_KEY_FILE' | 'ASSENT_SECRET' | 'the key file beside the database';

const MIN_KEY = 32;

interface KeyConfig {
  ledgerKey?: string | undefined;
  ledgerKeyFile?: string | undefined;
  secret?: string | undefined;
}

/**
 * The key that authenticates the consent ledger's head (a MAC of its seq and hash). It is never
 * in the database: whoever can rewrite the ledger there could otherwise sign a shortened one.
 * Taken from, in order: ASSENT_LEDGER_KEY; the file ASSENT_LEDGER_KEY_FILE names (created with
 * a random key, mode 0600, on first use); a key derived from ASSENT_SECRET; and, for a SQLite
 * database file with none of these set, a key file beside it (`<database>.ledger-key`), so the
 * quickstart's installation is authenticated from its first consent change. The installation
 * secret the settings table keeps when ASSENT_SECRET is unset does not count. PostgreSQL has no
 * default (its processes may run on several machines, which must share one key): without one
 * the head is not authenticated, and verification says so.
 */
export class LedgerKey {
  private cached: Buffer | null | undefined;
  /** True when this process created the key file: a new key, which no head was signed with yet. */
  createdNow = false;

  /** `database`: the database the process opened (the default key file lies beside a SQLite file). */
  constructor(
    private readonly cfg: KeyConfig,
    private readonly database?: DbTarget,
  ) {}

  get source(): LedgerKeySource | null {
    if (this.cfg.ledgerKey) return 'ASSENT_LEDGER_KEY';
    if (this.cfg.ledgerKeyFile) return 'ASSENT_LEDGER_KEY_FILE';
    if (this.cfg.secret) return 'ASSENT_SECRET';
    if (this.defaultFile()) return 'the key file beside the database';
    return null;
  }

  /** The key, or null when none is configured. Read once; a key file is created the first time. */
  get(): Buffer | null {
    if (this.cached !== undefined) return this.cached;
    const { ledgerKey, ledgerKeyFile, secret } = this.cfg;
    if (ledgerKey) return (this.cached = Buffer.from(ledgerKey));
    if (ledgerKeyFile) return (this.cached = Buffer.from(this.readOrCreate(ledgerKeyFile)));
    // Derived, so the ledger key is not the key that signs links even when both come from one secret.
    if (secret) return (this.cached = Buffer.from(hmac(secret, 'assent-ledger-key/v1'), 'hex'));
    const beside = this.defaultFile();
    if (beside) return (this.cached = Buffer.from(this.readOrCreate(beside)));
    return (this.cached = null);
  }

  private defaultFile(): string | null {
    const t = this.database;
    return t?.dialect === 'sqlite' && t.location !== ':memory:' ? `${t.location}.ledger-key` : null;
  }

  private readOrCreate(path: string): string {
    // This process has the database open: opening (and closing) one of its files here would drop
    // SQLite's locks on it, and writing one would destroy it.
    if (this.database && isDatabaseFile(this.database, path))
      throw new AppError('validation_failed', 'the ledger key file names one of the database’s own files');
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
        this.createdNow = true;
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new AppError('validation_failed', `the ledger key file cannot be created (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const key = readFileSync(path, 'utf8').trim();
    if (key.length < MIN_KEY) throw new AppError('validation_failed', `the ledger key file holds fewer than ${MIN_KEY} characters`);
    return key;
  }
}
