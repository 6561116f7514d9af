import { parseDuration, subtractDuration } from '../../lib/duration.ts';
import { firstInstantAtOrAfter, wallTime } from '../../lib/time-zones.ts';
import { type EmailRules, type FrequencyCap, type QuietHours, UNCAPPED_PURPOSES } from '../settings/module.ts';

/**
 * Frequency caps and quiet hours, decided for one recipient from numbers the caller counted.
 * Pure: the clock, the zone and the counts come in.
 */
export type PolicyDecision = { ok: true } | { refused: 'frequency_cap' } | { deferUntil: Date };

/**
 * Purposes no rule touches. `requested` answers the person's own action (a data request's
 * verification, a double opt-in, a consent receipt): they are waiting for it, at 23:00 too, and
 * a cap must never swallow it. `transactional` is about business the person has with us
 * (receipts, statements, a password reset): PRODUCT.md §1 sets it apart from promotion, and
 * holding a receipt until morning or dropping a statement because newsletters filled the week
 * would break the service, not protect the person. Caps naming them are refused by the settings.
 */
export const EXEMPT_PURPOSES = UNCAPPED_PURPOSES;

/** The caps that apply to messages of `purpose`, in the order of the rules. */
export function capsFor(rules: EmailRules, purpose: string): FrequencyCap[] {
  if (EXEMPT_PURPOSES.includes(purpose)) return [];
  return rules.frequencyCaps.filter((c) => c.purpose === purpose);
}

/** Where a cap's window begins: sends after it count (a mail sent exactly a window ago has left it). */
export function capWindowStart(cap: FrequencyCap, now: Date): Date {
  const d = parseDuration(cap.window);
  if (!d) throw new Error('invalid cap window');
  return subtractDuration(now, d);
}

export interface Recipient {
  purpose: string;
  /** The recipient's IANA zone (see `contactTimeZone`). */
  zone: string;
  /** Messages of the purpose sent to the recipient within each of `capsFor(rules, purpose)`'s windows, in that order. */
  sent: readonly number[];
}

/**
 * Quiet hours first: a send in them waits to the window's end, and the cap is judged when it
 * is due again (the engine asks once more then), by the counts of that moment. Outside quiet
 * hours, a cap whose window already holds `max` messages refuses.
 */
export function decide(rules: EmailRules, r: Recipient, now: Date): PolicyDecision {
  if (EXEMPT_PURPOSES.includes(r.purpose)) return { ok: true };
  if (rules.quietHours) {
    const until = quietUntil(rules.quietHours, r.zone, now);
    if (until) return { deferUntil: until };
  }
  const caps = capsFor(rules, r.purpose);
  if (caps.some((cap, i) => (r.sent[i] ?? 0) >= cap.max)) return { refused: 'frequency_cap' };
  return { ok: true };
}

const DAY = 86_400_000;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * When the quiet hours `now` falls in end, or null when it falls in none.
 *
 * The window of local date D runs over instants, from the first moment D's wall clock reads
 * `start` (or later) to the first moment the end's date (D, or D+1 for a window across
 * midnight) reads `end` (or later). So on a DST day: a start or end that occurs twice is its
 * first occurrence (the repeated hour after a start is quiet: no hole in the window; after an
 * end it is not: the window is not stretched), and one that does not exist is the first moment
 * after the gap. Windows are instants, so a deferred time is never inside one and never before
 * `now`. A window whose both ends fall in one gap is empty that day.
 */
export function quietUntil(q: QuietHours, zone: string, now: Date): Date | null {
  const start = minutes(q.start) * 60_000;
  const end = minutes(q.end) * 60_000;
  const across = end <= start;
  const w = wallTime(zone, now);
  const today = Date.UTC(w.year, w.month - 1, w.day);
  const window = (day: number) => ({
    from: firstInstantAtOrAfter(zone, day + start).getTime(),
    to: firstInstantAtOrAfter(zone, day + (across ? DAY : 0) + end).getTime(),
  });
  const t = now.getTime();
  // The window begun yesterday may still run (across midnight), else today's; a window nearly a
  // day long can end where the next begins (both ends in one DST gap): then the next one's end.
  let until: number | null = null;
  for (let day = today - DAY; day <= today + DAY; day += DAY) {
    const { from, to } = window(day);
    const at = until ?? t;
    if (from <= at && at < to) until = to;
  }
  return until === null ? null : new Date(until);
}
