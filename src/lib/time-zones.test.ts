import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { AWKWARD_ZONES, transitions, zoneAndInstant } from '../../test/helpers/time-zones.ts';
import { canonicalTimeZone, firstInstantAtOrAfter, isTimeZone, offsetMs, wallMs, wallTime } from './time-zones.ts';

const wall = (s: string) => Date.parse(`${s}Z`);
const iso = (d: Date) => d.toISOString();

it('knows IANA zones in any case and nothing else', () => {
  for (const z of ['Europe/Berlin', 'europe/berlin', 'UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) assert.ok(isTimeZone(z), z);
  for (const z of [
    '',
    '+01:00',
    'Mars/Olympus',
    'Europe/Berlin ',
    'Europe//Berlin',
    '../etc/passwd',
    'x'.repeat(65),
    'Europe/Berlin\u0000',
  ])
    assert.equal(isTimeZone(z), false, JSON.stringify(z));
  assert.equal(canonicalTimeZone('europe/BERLIN'), 'Europe/Berlin');
  assert.equal(canonicalTimeZone('utc'), 'UTC');
  // ICU lists Asia/Calcutta; the current name is kept as written, not replaced by the alias.
  assert.equal(canonicalTimeZone('Asia/Kolkata'), 'Asia/Kolkata');
  assert.equal(canonicalTimeZone('Nowhere/Town'), null);
});

it('reads the wall clock and the offset of an instant', () => {
  const at = new Date('2026-07-01T12:34:56.789Z');
  assert.deepEqual(wallTime('Europe/Berlin', at), { year: 2026, month: 7, day: 1, hour: 14, minute: 34, second: 56 });
  assert.equal(offsetMs('Europe/Berlin', at), 2 * 3_600_000);
  assert.equal(offsetMs('Asia/Kathmandu', at), 5.75 * 3_600_000);
  assert.equal(offsetMs('America/St_Johns', new Date('2026-01-01T00:00:00Z')), -3.5 * 3_600_000);
});

it('resolves a wall time to its first instant, across DST gaps and repeats', () => {
  // Berlin: 2026-03-29 02:00 -> 03:00 (02:30 never happens), 2026-10-25 03:00 -> 02:00 (02:30 twice).
  assert.equal(iso(firstInstantAtOrAfter('Europe/Berlin', wall('2026-03-29T01:30:00'))), '2026-03-29T00:30:00.000Z');
  assert.equal(iso(firstInstantAtOrAfter('Europe/Berlin', wall('2026-03-29T02:30:00'))), '2026-03-29T01:00:00.000Z');
  assert.equal(iso(firstInstantAtOrAfter('Europe/Berlin', wall('2026-03-29T03:00:00'))), '2026-03-29T01:00:00.000Z');
  assert.equal(iso(firstInstantAtOrAfter('Europe/Berlin', wall('2026-10-25T02:30:00'))), '2026-10-25T00:30:00.000Z');
  assert.equal(iso(firstInstantAtOrAfter('Europe/Berlin', wall('2026-10-25T03:00:00'))), '2026-10-25T02:00:00.000Z');
  // Lord Howe moves by half an hour; Samoa skipped 2011-12-30 whole.
  assert.equal(iso(firstInstantAtOrAfter('Australia/Lord_Howe', wall('2026-10-04T02:15:00'))), '2026-10-03T15:30:00.000Z');
  assert.equal(iso(firstInstantAtOrAfter('Pacific/Apia', wall('2011-12-30T12:00:00'))), '2011-12-30T10:00:00.000Z');
  assert.equal(iso(firstInstantAtOrAfter('UTC', wall('2026-01-01T00:00:00'))), '2026-01-01T00:00:00.000Z');
});

it('property: the first instant reads the wall time or later, and no earlier instant nearby does', () => {
  fc.assert(
    fc.property(
      // A wall time near an offset change: an instant's reading there.
      zoneAndInstant.map(([zone, t]) => [zone, wallMs(wallTime(zone, new Date(t))) + (t % 3_600_000 < 1_800_000 ? 1_800_000 : 0)] as const),
      ([zone, w]) => {
        const t = firstInstantAtOrAfter(zone, w).getTime();
        const local = (x: number) => wallMs(wallTime(zone, new Date(x)));
        assert.ok(local(t) >= w);
        // Before it (a day back, and the second before) the wall clock read earlier: it is the first.
        for (let back = 1000; back <= 26 * 3_600_000; back += back === 1000 ? 899_000 : 900_000)
          assert.ok(local(t - back) < w, `${zone} ${new Date(w).toISOString()} -${back}`);
        assert.ok(t - w <= 14 * 3_600_000 && w - t <= 14 * 3_600_000 + 86_400_000);
      },
    ),
    { numRuns: 400 },
  );
});

it('the awkward zones change offset where the samples look', () => {
  // Guards the property tests' data: without changes to sample near, they would test little.
  for (const z of AWKWARD_ZONES) if (z !== 'UTC' && z !== 'Asia/Kolkata') assert.ok(transitions(z).length > 0, z);
  assert.ok(transitions('Europe/Berlin').some((t) => t === Date.parse('2026-03-29T01:00:00Z')));
});
