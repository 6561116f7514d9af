import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { zoneAndInstant } from '../../../test/helpers/time-zones.ts';
import { wallMs, wallTime } from '../../lib/time-zones.ts';
import type { EmailRules } from '../settings/module.ts';
import { capsFor, capWindowStart, decide, quietUntil } from './policy.ts';

const rules = (over: Partial<EmailRules> = {}): EmailRules => ({
  frequencyCaps: [],
  quietHours: null,
  dropDeferredWhenCancelled: true,
  ...over,
});
const at = (s: string) => new Date(s);
const NIGHT = { start: '21:00', end: '08:00' };

it('no rules: every send goes', () => {
  assert.deepEqual(decide(rules(), { purpose: 'marketing', zone: 'UTC', sent: [] }, at('2026-01-01T23:00:00Z')), { ok: true });
});

it('a cap refuses the send that would exceed it, per purpose', () => {
  const r = rules({ frequencyCaps: [{ purpose: 'marketing', max: 3, window: 'P7D' }] });
  const now = at('2026-05-10T12:00:00Z');
  assert.equal(capsFor(r, 'marketing').length, 1);
  assert.deepEqual(decide(r, { purpose: 'marketing', zone: 'UTC', sent: [2] }, now), { ok: true });
  assert.deepEqual(decide(r, { purpose: 'marketing', zone: 'UTC', sent: [3] }, now), { refused: 'frequency_cap' });
  assert.deepEqual(decide(r, { purpose: 'marketing', zone: 'UTC', sent: [9] }, now), { refused: 'frequency_cap' });
  // Another purpose's count is not this cap's business.
  assert.deepEqual(capsFor(r, 'subscription'), []);
  assert.deepEqual(decide(r, { purpose: 'subscription', zone: 'UTC', sent: [] }, now), { ok: true });
  assert.equal(capWindowStart(r.frequencyCaps[0]!, now).toISOString(), '2026-05-03T12:00:00.000Z');
});

it('several caps on a purpose: any one full refuses', () => {
  const r = rules({
    frequencyCaps: [
      { purpose: 'marketing', max: 1, window: 'P1D' },
      { purpose: 'subscription', max: 1, window: 'P1D' },
      { purpose: 'marketing', max: 5, window: 'P30D' },
    ],
  });
  assert.deepEqual(
    capsFor(r, 'marketing').map((c) => c.window),
    ['P1D', 'P30D'],
  );
  const now = at('2026-05-10T12:00:00Z');
  assert.deepEqual(decide(r, { purpose: 'marketing', zone: 'UTC', sent: [0, 4] }, now), { ok: true });
  assert.deepEqual(decide(r, { purpose: 'marketing', zone: 'UTC', sent: [1, 1] }, now), { refused: 'frequency_cap' });
  assert.deepEqual(decide(r, { purpose: 'marketing', zone: 'UTC', sent: [0, 5] }, now), { refused: 'frequency_cap' });
});

it('requested and transactional mail is never capped or held', () => {
  const r = rules({ frequencyCaps: [{ purpose: 'transactional', max: 1, window: 'P1D' }], quietHours: NIGHT });
  for (const purpose of ['requested', 'transactional'])
    assert.deepEqual(decide(r, { purpose, zone: 'UTC', sent: [50] }, at('2026-01-01T23:00:00Z')), { ok: true }, purpose);
});

it("a send at 23:00 in the recipient's zone waits for 08:00 there; the cap is judged then", () => {
  const r = rules({ quietHours: NIGHT, frequencyCaps: [{ purpose: 'marketing', max: 1, window: 'P7D' }] });
  // 23:00 in Berlin (summer, +02:00) is 21:00 UTC.
  const d = decide(r, { purpose: 'marketing', zone: 'Europe/Berlin', sent: [1] }, at('2026-07-01T21:00:00Z'));
  assert.deepEqual(d, { deferUntil: at('2026-07-02T06:00:00Z') });
  // The same instant is 17:00 in New York: outside quiet hours, so the cap decides.
  assert.deepEqual(decide(r, { purpose: 'marketing', zone: 'America/New_York', sent: [1] }, at('2026-07-01T21:00:00Z')), {
    refused: 'frequency_cap',
  });
  // Just after midnight it is still the night begun yesterday; 08:00 sharp is allowed, 20:59 too.
  assert.equal(quietUntil(NIGHT, 'Europe/Berlin', at('2026-07-01T22:30:00Z'))?.toISOString(), '2026-07-02T06:00:00.000Z');
  assert.equal(quietUntil(NIGHT, 'Europe/Berlin', at('2026-07-02T06:00:00Z')), null);
  assert.equal(quietUntil(NIGHT, 'Europe/Berlin', at('2026-07-02T18:59:00Z')), null);
  assert.equal(quietUntil(NIGHT, 'Europe/Berlin', at('2026-07-02T19:00:00Z'))?.toISOString(), '2026-07-03T06:00:00.000Z');
});

it('a window within one day (12:00–14:00) holds only its own hours', () => {
  const lunch = { start: '12:00', end: '14:00' };
  assert.equal(quietUntil(lunch, 'UTC', at('2026-01-01T11:59:00Z')), null);
  assert.equal(quietUntil(lunch, 'UTC', at('2026-01-01T12:00:00Z'))?.toISOString(), '2026-01-01T14:00:00.000Z');
  assert.equal(quietUntil(lunch, 'UTC', at('2026-01-01T14:00:00Z')), null);
  assert.equal(quietUntil(lunch, 'UTC', at('2026-01-01T23:00:00Z')), null);
});

it('DST: a start or end that does not exist is the first moment after the gap', () => {
  // Berlin 2026-03-29: 02:00 -> 03:00. Quiet 02:30–06:00 begins at 03:00 (01:00Z).
  const q = { start: '02:30', end: '06:00' };
  assert.equal(quietUntil(q, 'Europe/Berlin', at('2026-03-29T00:59:59Z')), null);
  assert.equal(quietUntil(q, 'Europe/Berlin', at('2026-03-29T01:00:00Z'))?.toISOString(), '2026-03-29T04:00:00.000Z');
  // Quiet 21:00–02:30 ends at 03:00 local (the gap's end), not at a 02:30 that never comes.
  const late = { start: '21:00', end: '02:30' };
  assert.equal(quietUntil(late, 'Europe/Berlin', at('2026-03-28T23:00:00Z'))?.toISOString(), '2026-03-29T01:00:00.000Z');
  // Both ends inside the gap: no quiet hours that night.
  assert.equal(quietUntil({ start: '02:10', end: '02:40' }, 'Europe/Berlin', at('2026-03-29T01:00:00Z')), null);
});

it('DST: a start or end that happens twice is its first occurrence; the repeated hour is quiet only inside the window', () => {
  // Berlin 2026-10-25: 03:00 -> 02:00, so 02:00–02:59 happens at 00:xxZ (+02:00) and again at 01:xxZ (+01:00).
  const q = { start: '02:30', end: '06:00' };
  assert.equal(quietUntil(q, 'Europe/Berlin', at('2026-10-25T00:29:00Z')), null);
  assert.equal(quietUntil(q, 'Europe/Berlin', at('2026-10-25T00:30:00Z'))?.toISOString(), '2026-10-25T05:00:00.000Z');
  // The second 02:10 comes after the window began: still quiet (no hole in the window).
  assert.equal(quietUntil(q, 'Europe/Berlin', at('2026-10-25T01:10:00Z'))?.toISOString(), '2026-10-25T05:00:00.000Z');
  // A window ending at 02:30 ends at its first occurrence; the repeat is not quiet again.
  const late = { start: '21:00', end: '02:30' };
  assert.equal(quietUntil(late, 'Europe/Berlin', at('2026-10-25T00:29:00Z'))?.toISOString(), '2026-10-25T00:30:00.000Z');
  assert.equal(quietUntil(late, 'Europe/Berlin', at('2026-10-25T01:10:00Z')), null);
});

it('a day a zone skipped (Samoa, 2011-12-30) and a 30-minute DST shift (Lord Howe)', () => {
  // Apia went from 2011-12-29 23:59:59 (-10:00) to 2011-12-31 00:00 (+14:00) at 10:00Z.
  assert.equal(quietUntil(NIGHT, 'Pacific/Apia', at('2011-12-30T09:00:00Z'))?.toISOString(), '2011-12-30T18:00:00.000Z');
  assert.equal(quietUntil(NIGHT, 'Pacific/Apia', at('2011-12-30T10:00:00Z'))?.toISOString(), '2011-12-30T18:00:00.000Z');
  // Lord Howe 2026-10-04: 02:00 -> 02:30 (+10:30 -> +11:00); quiet 22:00–02:15 ends at 02:30.
  const q = { start: '22:00', end: '02:15' };
  assert.equal(quietUntil(q, 'Australia/Lord_Howe', at('2026-10-03T15:00:00Z'))?.toISOString(), '2026-10-03T15:30:00.000Z');
});

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 1, 15, 29, 30, 45, 59))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const window = fc.tuple(hhmm, hhmm).filter(([a, b]) => a !== b);

/** Whether the wall clock of `t` in `zone` reads inside the window: the naive rule, kept as an independent reference. */
function wallQuiet(zone: string, start: string, end: string, t: number): boolean {
  const w = wallTime(zone, new Date(t));
  const m = w.hour * 60 + w.minute;
  const [s, e] = [start, end].map((x) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3)));
  return s! < e! ? s! <= m && m < e! : m >= s! || m < e!;
}

/** Whether the wall time of `t` was read at an earlier instant too (the repeated hour after clocks go back). */
function repeated(zone: string, t: number): boolean {
  const w = wallMs(wallTime(zone, new Date(t)));
  for (let back = 60_000; back <= 3 * 3_600_000; back += 60_000) if (wallMs(wallTime(zone, new Date(t - back))) >= w) return true;
  return false;
}

it('property: a deferred time is after now and outside quiet hours, the moment before it inside; an allowed now is outside', () => {
  fc.assert(
    fc.property(zoneAndInstant, window, ([zone, now], [start, end]) => {
      const until = quietUntil({ start, end }, zone, new Date(now));
      const where = `${zone} ${new Date(now).toISOString()} ${start}-${end}`;
      if (until === null) {
        assert.ok(!wallQuiet(zone, start, end, now) || repeated(zone, now), `allowed inside quiet hours: ${where}`);
        return;
      }
      const u = until.getTime();
      assert.ok(u > now, `deferred to the past: ${where}`);
      assert.ok(u - now <= 2 * 86_400_000, `deferred too far: ${where}`);
      assert.ok(!wallQuiet(zone, start, end, u), `deferred into quiet hours (${until.toISOString()}): ${where}`);
      assert.equal(quietUntil({ start, end }, zone, until), null, `deferred time still quiet: ${where}`);
      assert.ok(wallQuiet(zone, start, end, u - 60_000) || u - 60_000 < now, `deferred later than needed: ${where}`);
      assert.ok(wallQuiet(zone, start, end, now) || repeated(zone, now), `held outside quiet hours: ${where}`);
    }),
    { numRuns: 2000 },
  );
});
