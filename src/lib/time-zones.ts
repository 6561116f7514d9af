/**
 * IANA time zones: which names are valid, and the wall clock of an instant in a zone. Intl is
 * the only tz database used, so a name accepted here is exactly one the arithmetic can use.
 */

/** The shape a zone name must have before Intl is asked (no offsets such as `+01:00`, no spaces). */
export const TIME_ZONE_PATTERN = '^[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*$';
const SHAPE = new RegExp(TIME_ZONE_PATTERN);

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f) return f;
  if (zone.length > 64 || !SHAPE.test(zone)) return null;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return null;
  }
  if (formatters.size > 1000) formatters.clear();
  formatters.set(zone, f);
  return f;
}

/** Whether Intl knows the zone (any letter case, as Intl itself accepts). */
export function isTimeZone(zone: string): boolean {
  return formatter(zone) !== null;
}

let known: Map<string, string> | null = null;

/**
 * The zone's name in its usual case (`europe/berlin` is `Europe/Berlin`), or null when Intl does
 * not know it. Names are matched against Intl's list; a valid name not in it (Intl lists ICU's
 * older canonical names, such as Asia/Calcutta, not the current Asia/Kolkata) is kept as written
 * rather than replaced by an alias the person did not choose.
 */
export function canonicalTimeZone(zone: string): string | null {
  if (!isTimeZone(zone)) return null;
  if (!known) {
    known = new Map(['UTC', 'Etc/UTC', ...Intl.supportedValuesOf('timeZone')].map((z) => [z.toLowerCase(), z]));
  }
  return known.get(zone.toLowerCase()) ?? zone;
}

/** A wall-clock reading: calendar date and time of day, without a zone. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock in `zone` at `at` (seconds precision). The zone must be valid. */
export function wallTime(zone: string, at: Date): WallTime {
  const f = formatter(zone);
  if (!f) throw new Error('unknown time zone');
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! };
}

/** The wall time read as if it were UTC, in ms: wall times compare and subtract as numbers this way. */
export function wallMs(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The zone's offset from UTC at `at`, in ms (wall clock minus UTC), to the second. */
export function offsetMs(zone: string, at: Date): number {
  const whole = Math.floor(at.getTime() / 1000) * 1000;
  return wallMs(wallTime(zone, new Date(whole))) - whole;
}

const HOUR = 3_600_000;

/**
 * The first instant at which the zone's wall clock reads `wall` (ms as from `wallMs`) or later.
 * A wall time that occurs twice (clocks set back) is its first occurrence; one that never occurs
 * (clocks set forward, or a skipped day) is the end of the gap, the first moment after it.
 */
export function firstInstantAtOrAfter(zone: string, wall: number): Date {
  // An instant whose wall clock reads `wall` is `wall - offset` for the offset in force then; the
  // offsets around it are the only candidates (no zone changes twice within a day and a half).
  const offsets = new Set([-36, 0, 36].map((h) => offsetMs(zone, new Date(wall + h * HOUR))));
  const exact = [...offsets].map((o) => wall - o).filter((t) => offsetMs(zone, new Date(t)) === wall - t);
  if (exact.length) return new Date(Math.min(...exact));
  // A gap: before it the wall clock reads less than `wall`, after it more. Find the transition.
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + offsetMs(zone, new Date(mid)) >= wall) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}
