import type { Kysely } from 'kysely';
import { AppError } from '../../lib/errors.ts';
import type { Database, Db } from '../database.ts';
import { anySuppressed, deleteSuppression, insertSuppressions, isSuppressedHash, suppressedHashes } from './suppression.queries.ts';

/** The keyed hashes of an address (the settings module's SecretService): the only thing a suppression keeps. */
export interface AddressHasher {
  emailHash(email: string): Promise<string>;
  emailHashes(email: string): Promise<string[]>;
}

/**
 * Addresses an erasure suppressed, known only by their keyed hash: creating, importing or
 * submitting one again is refused until an admin lifts it. An address is looked up under its
 * key's hash and under the hash the first contract made (SecretService.emailHashes).
 *
 * Writers that create addresses (contacts, imports) and the erasure that suppresses them ask
 * inside their own transaction: each method takes it (`trx`), the shared handle otherwise.
 */
export class SuppressionService {
  constructor(
    private readonly db: Db,
    private readonly secret: AddressHasher,
  ) {}

  async isSuppressed(email: string, trx: Kysely<Database> = this.db.kysely): Promise<boolean> {
    return isSuppressedHash(trx, await this.secret.emailHashes(email));
  }

  /** Throws `suppressed` for a suppressed address; for callers that refuse rather than ask. */
  async refuse(email: string, trx: Kysely<Database> = this.db.kysely): Promise<void> {
    if (await this.isSuppressed(email, trx)) throw new AppError('suppressed', 'this address was erased and is suppressed');
  }

  /**
   * Which of these (normalised) addresses are suppressed, by their key's hash or the hash the
   * first contract made; for bulk writers such as imports.
   */
  async among(emails: string[], trx: Kysely<Database> = this.db.kysely): Promise<Set<string>> {
    if (emails.length === 0 || !(await anySuppressed(trx))) return new Set();
    const byHash = new Map<string, string[]>();
    for (const e of emails) {
      for (const h of await this.secret.emailHashes(e)) byHash.set(h, [...(byHash.get(h) ?? []), e]);
    }
    const hit = await suppressedHashes(trx, [...byHash.keys()]);
    return new Set([...hit].flatMap((h) => byHash.get(h)!));
  }

  /** Suppresses addresses by their match keys, in the erasure's transaction (the secret's key read before it opened). */
  async suppressKeys(trx: Kysely<Database>, emailKeys: string[], requestId: string | null, at: string): Promise<void> {
    const hashes = await Promise.all(emailKeys.map((k) => this.secret.emailHash(k)));
    await insertSuppressions(
      trx,
      hashes.map((h) => ({ email_hmac: h, reason: 'erased', request_id: requestId, created_at: at })),
    );
  }

  async lift(email: string): Promise<void> {
    if ((await deleteSuppression(this.db.kysely, await this.secret.emailHashes(email))) === 0)
      throw new AppError('not_found', 'this address is not suppressed');
  }
}
