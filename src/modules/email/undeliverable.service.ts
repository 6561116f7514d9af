import type { Logger } from 'pino';
import { emailKey } from '../../lib/email.ts';
import type { Db } from '../database.ts';
import { clearUndeliverable } from './bounce.queries.ts';
import * as q from './undeliverable.queries.ts';

export interface UndeliverableAddress {
  /** The paging key (the bounce id); not shown. */
  id: string;
  address: string;
  since: string;
  bounceId: string | null;
  /** The status of the bounce that caused it; null once that record is past its retention. */
  status: string | null;
}

export interface Cleared {
  cleared: boolean;
  /** The bounce that had put the address there: what the audit entry names instead of the address. */
  bounceId: string | null;
}

/**
 * Undeliverable addresses as staff see them: listed with the bounce that caused each, and
 * cleared one at a time when someone knows the mailbox works again (the sending path then
 * sends to it). Addresses are personal data: they travel in bodies and answers only, never in
 * a URL, a log line or an audit entry.
 */
export class UndeliverableService {
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  async list(search: string | undefined, limit: number, before?: string): Promise<UndeliverableAddress[]> {
    const rows = await q.listUndeliverable(this.db.kysely, term(search), limit, before);
    return rows.map((r) => ({ id: r.id, address: r.address, since: r.since, bounceId: r.bounce_id, status: r.status }));
  }

  total(search: string | undefined): Promise<number> {
    return q.countUndeliverable(this.db.kysely, term(search));
  }

  async clear(email: string): Promise<Cleared> {
    const key = emailKey(email);
    const db = this.db.kysely;
    const found = await q.undeliverableBy(db, key);
    const cleared = found !== undefined && (await clearUndeliverable(db, key));
    this.log.info({ cleared }, 'undeliverable address clear asked');
    return { cleared, bounceId: cleared ? (found?.bounce_id ?? null) : null };
  }
}

// The match key's form (lib/email.ts): composed and lower case.
function term(search: string | undefined): string | undefined {
  const t = search?.trim().normalize('NFC').toLowerCase();
  return t ? t : undefined;
}
