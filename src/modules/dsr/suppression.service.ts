import type { Db } from '../database.ts';
import { AppError } from '../../lib/errors.ts';
import type { SecretService } from '../settings/secret.service.ts';
import { deleteSuppression, isSuppressedHash } from './suppression.queries.ts';

/**
 * Addresses an erasure suppressed, known only by their keyed hash: creating, importing or
 * submitting one again is refused until an admin lifts it. An address is looked up under its
 * key's hash and under the hash the first contract made (SecretService.emailHashes).
 */
export class SuppressionService {
  constructor(
    private readonly db: Db,
    private readonly secret: SecretService,
  ) {}

  async isSuppressed(email: string): Promise<boolean> {
    return isSuppressedHash(this.db.kysely, await this.secret.emailHashes(email));
  }

  /** Throws `suppressed` for a suppressed address; for callers that refuse rather than ask. */
  async refuse(email: string): Promise<void> {
    if (await this.isSuppressed(email)) throw new AppError('suppressed', 'this address was erased and is suppressed');
  }

  async lift(email: string): Promise<void> {
    if ((await deleteSuppression(this.db.kysely, await this.secret.emailHashes(email))) === 0)
      throw new AppError('not_found', 'this address is not suppressed');
  }
}
