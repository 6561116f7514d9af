import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDuration, subtractDuration } from './duration.ts';

it('parses ISO-8601 durations and refuses others', () => {
  assert.deepEqual(parseDuration('P1Y2M3W4DT5H6M7S'), { years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 });
  assert.equal(parseDuration('P30D')!.days, 30);
  for (const bad of ['P', '30 days', 'PT', 'P1.5D', '', 'P-1D']) assert.equal(parseDuration(bad), null, bad);
});

it('subtracts calendar months with end-of-month clamping', () => {
  const at = new Date('2026-03-31T10:00:00.000Z');
  assert.equal(subtractDuration(at, parseDuration('P1M')!).toISOString(), '2026-02-28T10:00:00.000Z');
  assert.equal(subtractDuration(at, parseDuration('P1Y1M')!).toISOString(), '2025-02-28T10:00:00.000Z');
  assert.equal(subtractDuration(at, parseDuration('P14M')!).toISOString(), '2025-01-31T10:00:00.000Z');
  assert.equal(subtractDuration(at, parseDuration('P30D')!).toISOString(), '2026-03-01T10:00:00.000Z');
  assert.equal(subtractDuration(at, parseDuration('PT36H')!).toISOString(), '2026-03-29T22:00:00.000Z');
});
