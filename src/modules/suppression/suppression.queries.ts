import type { Kysely } from 'kysely';
import { chunks } from '../../lib/chunks.ts';
import type { Database } from '../database.ts';
import type { SuppressionsTable } from './suppression.table.ts';

type Q = Kysely<Database>;

// The module's SQL; other modules ask through SuppressionService, passing their transaction.

export async function isSuppressedHash(db: Q, emailHmac: string | string[]): Promise<boolean> {
  const hashes = typeof emailHmac === 'string' ? [emailHmac] : emailHmac;
  if (hashes.length === 0) return false;
  return (await db.selectFrom('suppressions').select('email_hmac').where('email_hmac', 'in', hashes).executeTakeFirst()) !== undefined;
}

/** Lets bulk writers skip hashing every address while nothing is suppressed (the usual case). */
export async function anySuppressed(db: Q): Promise<boolean> {
  return (await db.selectFrom('suppressions').select('email_hmac').limit(1).executeTakeFirst()) !== undefined;
}

export async function suppressedHashes(db: Q, hashes: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(hashes, 1000)) {
    for (const r of await db.selectFrom('suppressions').select('email_hmac').where('email_hmac', 'in', part).execute())
      out.add(r.email_hmac);
  }
  return out;
}

export async function insertSuppressions(db: Q, rows: SuppressionsTable[]): Promise<void> {
  for (const part of chunks(rows, 500)) {
    await db
      .insertInto('suppressions')
      .values(part)
      .onConflict((oc) => oc.column('email_hmac').doNothing())
      .execute();
  }
}

export async function deleteSuppression(db: Q, emailHmacs: string[]): Promise<number> {
  if (emailHmacs.length === 0) return 0;
  const r = await db.deleteFrom('suppressions').where('email_hmac', 'in', emailHmacs).executeTakeFirst();
  return Number(r.numDeletedRows);
}
