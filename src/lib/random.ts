import { randomBytes } from 'node:crypto';

// One system call per 4 KiB instead of one per value: for small values the call, not the
// bytes, is the cost (bulk ingest and import make millions of ids and ledger nonces).
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let at = 0;

/**
 * `n` (≤ 4096) cryptographically random bytes from a pool. The slice is a view: the caller
 * owns it until it asks again, and copies what it keeps (for example as hex).
 */
export function pooledRandom(n: number): Buffer {
  if (at + n > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, n));
    at = 0;
  }
  at += n;
  return pool.subarray(at - n, at);
}

export const randomHex = (bytes: number) => pooledRandom(bytes).toString('hex');
