import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FakeClock } from '../../../lib/clock.ts';
import { addDays, addMonths, deadlineFor, EXTENDED_TERM_MONTHS, localDate } from './deadline.ts';

const received = (at: string, tz = 'UTC', months?: number) => deadlineFor(new FakeClock(at).now(), tz, months);

it('gives the same date one month on', () => {
  assert.equal(received('2026-01-15T09:00:00Z'), '2026-02-15');
  assert.equal(received('2026-12-15T09:00:00Z'), '2027-01-15', 'across the year end');
});

it("clamps to the month's last day when it has no such date", () => {
  assert.equal(received('2026-01-31T12:00:00Z'), '2026-02-28');
  assert.equal(received('2028-01-31T12:00:00Z'), '2028-02-29', 'leap year');
  assert.equal(received('2026-03-31T12:00:00Z'), '2026-04-30');
  assert.equal(received('2026-01-29T12:00:00Z'), '2026-02-28');
  assert.equal(received('2026-02-28T12:00:00Z'), '2026-03-28', 'a clamped date is not carried to month end');
});

it('extends to three months from receipt by the same rule', () => {
  assert.equal(received('2026-01-31T12:00:00Z', 'UTC', EXTENDED_TERM_MONTHS), '2026-04-30');
  assert.equal(received('2026-01-15T09:00:00Z', 'UTC', EXTENDED_TERM_MONTHS), '2026-04-15');
  assert.equal(received('2025-11-30T09:00:00Z', 'UTC', EXTENDED_TERM_MONTHS), '2026-02-28');
  assert.equal(received('2027-11-30T09:00:00Z', 'UTC', EXTENDED_TERM_MONTHS), '2028-02-29');
});

it('counts from the date of receipt in the installation time zone', () => {
  const clock = new FakeClock('2026-01-31T23:30:00Z');
  assert.equal(localDate(clock.now(), 'Europe/Berlin'), '2026-02-01');
  assert.equal(deadlineFor(clock.now(), 'Europe/Berlin'), '2026-03-01');
  assert.equal(deadlineFor(clock.now(), 'UTC'), '2026-02-28');
  assert.equal(deadlineFor(new Date('2026-03-01T03:00:00Z'), 'America/New_York'), '2026-03-28', 'still 28 February in New York');
});

it('does date arithmetic without time-of-day drift', () => {
  assert.equal(addMonths('2026-03-29', -1), '2026-02-28');
  assert.equal(addDays('2026-02-28', 1), '2026-03-01');
  assert.equal(addDays('2026-03-28', 3), '2026-03-31', 'across a daylight-saving change in Europe');
  assert.throws(() => addMonths('31/01/2026', 1), RangeError);
});
