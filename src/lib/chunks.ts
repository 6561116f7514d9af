/**
 * Splits a list into consecutive parts of at most `size` items, in order. Bounded statements
 * (an `in (…)` list, a many-row insert) are written over these parts: every caller shares one
 * split, so none of them drops or repeats the item at a boundary. A size that is not a finite
 * positive number means one part holding everything (an unbounded batch).
 */
export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const step = Number.isFinite(size) ? Math.max(1, Math.floor(size)) : Math.max(1, xs.length);
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += step) out.push(xs.slice(i, i + step));
  return out;
}
