/*
 * A transaction the database aborted to let another go on: PostgreSQL's deadlock victim
 * (40P01) or a serialisation failure (40001). Nothing of it was written, and the same work run
 * again normally succeeds, so writers that take several rows' locks retry it a few times
 * (retryConflicts); one that still loses is answered 503 `write_conflict` with Retry-After by
 * the error handler, never 500. (SQLite has one writer at a time: it cannot deadlock.)
 */

const CONFLICT = new Set(['40P01', '40001']);

/** Seconds a client is told to wait after a conflict it lost every time. */
export const RETRY_AFTER_CONFLICT = 1;

export function isWriteConflict(e: unknown, depth = 0): boolean {
  if (typeof e !== 'object' || e === null || depth > 4) return false;
  const err = e as { code?: unknown; cause?: unknown };
  if (typeof err.code === 'string' && CONFLICT.has(err.code)) return true;
  return isWriteConflict(err.cause, depth + 1);
}

/** Tries in all; the waits between grow and are jittered so two victims do not collide again in step. */
const CONFLICT_TRIES = 5;

/**
 * Runs `work` (a whole transaction: it must start from its beginning) again while the database
 * aborts it as a deadlock victim or a serialisation failure, at most `tries` times in all.
 */
export async function retryConflicts<T>(work: () => Promise<T>, tries = CONFLICT_TRIES): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (attempt >= tries || !isWriteConflict(e)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}
