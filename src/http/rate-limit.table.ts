export interface RateLimitsTable {
  /** sha256 of scope and subject: the subject (an address, a client IP) is never stored. */
  key: string;
  window_start: string;
  count: number;
}
