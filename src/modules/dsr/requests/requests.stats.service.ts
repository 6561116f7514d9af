import type { Db } from '../../database.ts';
import { addDays } from './deadline.ts';
import { DUE_SOON_DAYS, type RequestsService } from './requests.service.ts';
import { countOpenRequests } from './requests.stats.queries.ts';

export interface RequestTotals {
  open: number;
  /** Open and due within DUE_SOON_DAYS days from today (overdue ones included), as `dueWithin` lists them. */
  dueSoon: number;
  dueWithinDays: number;
  overdue: number;
}

/** Counts of the case queue for overviews (the console's dashboard): numbers only, no requester. */
export class RequestStatsService {
  constructor(
    private readonly db: Db,
    private readonly requests: Pick<RequestsService, 'today'>,
  ) {}

  async totals(): Promise<RequestTotals> {
    const { today } = await this.requests.today();
    const n = await countOpenRequests(this.db.kysely, today, addDays(today, DUE_SOON_DAYS));
    return { ...n, dueWithinDays: DUE_SOON_DAYS };
  }
}
