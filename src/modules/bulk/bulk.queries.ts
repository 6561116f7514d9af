import type { Kysely } from 'kysely';
import { chunks } from '../../lib/chunks.ts';
import type { Database } from '../database.ts';

type Q = Kysely<Database>;

// Three parameters a row: well under either database's limit.
const INSERT_CHUNK = 2000;

export async function insertTargets(db: Q, jobId: string, contactIds: string[], now: string): Promise<void> {
  for (const part of chunks(contactIds, INSERT_CHUNK))
    await db
      .insertInto('bulk_targets')
      .values(part.map((contact_id) => ({ job_id: jobId, contact_id, created_at: now })))
      .execute();
}

/** The job's next contacts after a cursor, in id order (an erased one is gone from here too). */
export const targetsAfter = (db: Q, jobId: string, after: string | null, n: number) =>
  db
    .selectFrom('bulk_targets')
    .select('contact_id')
    .where('job_id', '=', jobId)
    .$if(after !== null, (q) => q.where('contact_id', '>', after!))
    .orderBy('contact_id')
    .limit(n)
    .execute();
