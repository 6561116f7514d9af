import fc from 'fast-check';
import { offsetMs } from '../../src/lib/time-zones.ts';

/** Zones with odd habits: DST both hemispheres, half-hour and 45-minute offsets and shifts, a skipped day, Ramadan changes. */
export const AWKWARD_ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'America/Santiago',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Apia',
  'Asia/Kolkata',
  'Africa/Casablanca',
  'America/St_Johns',
  'Antarctica/Troll',
] as const;

const cache = new Map<string, number[]>();

/** The instants (ms) at which the zone's offset changed between 2010 and 2030, to the minute. */
export function transitions(zone: string): number[] {
  const hit = cache.get(zone);
  if (hit) return hit;
  const out: number[] = [];
  const step = 12 * 3_600_000;
  let prev = offsetMs(zone, new Date(Date.UTC(2010, 0, 1)));
  for (let t = Date.UTC(2010, 0, 1) + step; t < Date.UTC(2030, 0, 1); t += step) {
    const o = offsetMs(zone, new Date(t));
    if (o === prev) continue;
    let lo = t - step;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetMs(zone, new Date(mid)) === prev) lo = mid;
      else hi = mid;
    }
    out.push(hi);
    prev = o;
  }
  cache.set(zone, out);
  return out;
}

/** A zone and an instant (whole minute), half of the time within a few hours of one of the zone's offset changes. */
export const zoneAndInstant = fc.constantFrom(...AWKWARD_ZONES).chain((zone) => {
  const near = transitions(zone);
  const anywhere = fc.integer({ min: Date.UTC(2010, 1, 1), max: Date.UTC(2029, 10, 1) }).map((ms) => Math.floor(ms / 60_000) * 60_000);
  const atChange = near.length
    ? fc.tuple(fc.constantFrom(...near), fc.integer({ min: -26 * 60, max: 26 * 60 })).map(([t, m]) => t + m * 60_000)
    : anywhere;
  return fc.tuple(fc.constant(zone as string), fc.oneof(anywhere, atChange));
});
