import type { Db } from '../database.ts';
import { CONSENT_LEVELS } from '../../lib/consent-levels.ts';
import { countByLevel } from './contacts.stats.queries.ts';

export interface ContactTotals {
  total: number;
  /** Every level, lowest first, zero where no contact holds it. */
  levels: { level: number; count: number }[];
}

/** Counts for overviews (the console's dashboard): numbers only, nothing about any one person. */
export class ContactStatsService {
  constructor(private readonly db: Db) {}

  async byLevel(): Promise<ContactTotals> {
    const found = new Map((await countByLevel(this.db.kysely)).map((r) => [r.level, r.count]));
    const levels = CONSENT_LEVELS.map((level) => ({ level, count: found.get(level) ?? 0 }));
    return { total: levels.reduce((n, l) => n + l.count, 0), levels };
  }
}
