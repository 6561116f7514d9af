/**
 * GDPR Art. 12(3) deadlines as calendar dates in the installation's time zone. A month is a
 * calendar month (Regulation 1182/71, Art. 3(2)(c)): the same day number in the month that
 * many months on, or that month's last day when it has no such day.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar date (YYYY-MM-DD) of an instant, as a clock on the wall in `timeZone` shows it. */
export function localDate(at: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD; formatToParts keeps it independent of that locale detail.
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function parse(date: string): [number, number, number] {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `months` calendar months after `date`, clamped to the last day of a shorter month. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = parse(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${pad(year, 4)}-${pad(month)}-${pad(Math.min(d, last))}`;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = parse(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const [y1, m1, d1] = parse(from);
  const [y2, m2, d2] = parse(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

/** One month from receipt; an extension allows two more, counted from receipt as well. */
export const FIRST_TERM_MONTHS = 1;
export const EXTENDED_TERM_MONTHS = 3;

export function deadlineFor(receivedAt: Date, timeZone: string, months: number = FIRST_TERM_MONTHS): string {
  return addMonths(localDate(receivedAt, timeZone), months);
}
