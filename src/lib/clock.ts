/** Time comes from here, so deadlines, waits, leases and retention are testable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2026-01-15T09:00:00.000Z') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(d: Date | string): void {
    this.t = new Date(d).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Timestamps are stored as fixed-width ISO-8601 UTC text: they sort and compare alike on both databases. */
export function iso(d: Date): string {
  return d.toISOString();
}
