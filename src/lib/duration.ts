/** ISO-8601 durations (P1Y2M10DT2H30M): parsed, and subtracted from a time in UTC calendar terms. */
export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const RE = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function parseDuration(s: string): Duration | null {
  const m = RE.exec(s);
  if (!m) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

/** `at` minus the duration. Months and years move the calendar date (clamped to the month's end). */
export function subtractDuration(at: Date, d: Duration): Date {
  const y = at.getUTCFullYear() - d.years;
  const mTotal = at.getUTCMonth() - d.months;
  const year = y + Math.floor(mTotal / 12);
  const month = ((mTotal % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const base = Date.UTC(
    year,
    month,
    Math.min(at.getUTCDate(), last),
    at.getUTCHours(),
    at.getUTCMinutes(),
    at.getUTCSeconds(),
    at.getUTCMilliseconds(),
  );
  const ms = ((d.weeks * 7 + d.days) * 86_400 + d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
  return new Date(base - ms);
}
