import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hmac } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';

export type LedgerKeySource = 'ASSENT_LEDGER_KEY' | 'ASSENT_LEDGER_KEY_FILE' | 'ASSENT_SECRET';

const MIN_KEY = 32;

/**
 * The key that authenticates the consent ledger's head (a MAC of its seq and hash). It is never
 * in the database: whoever can rewrite the ledger there could otherwise sign a shortened one.
 * Taken from, in order: ASSENT_LEDGER_KEY; the file ASSENT_LEDGER_KEY_FILE names (created with
 * a random key, mode 0600, on first use); a key derived from ASSENT_SECRET. The installation
 * secret the settings table keeps when ASSENT_SECRET is unset does not count. With none of
 * them the head is not authenticated, and verification says so.
 */
export class LedgerKey {
  private cached: Buffer | null | undefined;

  constructor(private readonly cfg: { ledgerKey?: string | undefined; ledgerKeyFile?: string | undefined; secret?: string | undefined }) {}

  get source(): LedgerKeySource | null {
    if (this.cfg.ledgerKey) return 'ASSENT_LEDGER_KEY';
    if (this.cfg.ledgerKeyFile) return 'ASSENT_LEDGER_KEY_FILE';
    if (this.cfg.secret) return 'ASSENT_SECRET';
    return null;
  }

  /** The key, or null when none is configured. Read once; a key file is created the first time. */
  get(): Buffer | null {
    if (this.cached !== undefined) return this.cached;
    const { ledgerKey, ledgerKeyFile, secret } = this.cfg;
    if (ledgerKey) return (this.cached = Buffer.from(ledgerKey));
    if (ledgerKeyFile) return (this.cached = Buffer.from(readOrCreate(ledgerKeyFile)));
    // Derived, so the ledger key is not the key that signs links even when both come from one secret.
    if (secret) return (this.cached = Buffer.from(hmac(secret, 'assent-ledger-key/v1'), 'hex'));
    return (this.cached = null);
  }
}

function readOrCreate(path: string): string {
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new AppError('validation_failed', `ASSENT_LEDGER_KEY_FILE cannot be created (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const key = readFileSync(path, 'utf8').trim();
  if (key.length < MIN_KEY) throw new AppError('validation_failed', `the ledger key file holds fewer than ${MIN_KEY} characters`);
  return key;
}
