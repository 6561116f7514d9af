import type { Campaign } from '../../ui/email/api';

/** How many of a campaign's recipients are dealt with (sent, refused, failed or cancelled), of all. */
export function progressOf(c: Pick<Campaign, 'recipients' | 'counts'>): { done: number; percent: number; refused: number } {
  const refused = Object.values(c.counts.refused ?? {}).reduce((n, v) => n + v, 0);
  const done = c.counts.sent + c.counts.failed + c.counts.cancelled + refused;
  return { done, refused, percent: c.recipients > 0 ? Math.min(100, Math.round((done / c.recipients) * 100)) : 100 };
}

/** A campaign whose numbers still move: the page asks again every few seconds. */
export const isLive = (status: string) => status === 'preparing' || status === 'sending';
