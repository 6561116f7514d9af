import { sql } from 'kysely';
import type { Db } from './connect.ts';

/** Seconds a client is told to wait: a lock is let go soon, a server takes longer to come back. */
const RETRY_AFTER_BUSY = 1;
const RETRY_AFTER_DOWN = 5;

// SQLSTATEs of a server that cannot serve now: class 08 (connection exception) is matched by prefix.
const PG_UNAVAILABLE = new Set([
  '57P01', // admin_shutdown: the server is stopping
  '57P02', // crash_shutdown: another session crashed it
  '57P03', // cannot_connect_now: starting up, or in recovery
  '53300', // too_many_connections
]);
// The socket's own codes for a server that cannot be reached, or a connection it dropped.
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// node-postgres reports a dropped connection and a pool wait that timed out as plain errors without a code.
const PG_MESSAGES = [
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^timeout exceeded when trying to connect$/,
  /^Client (has encountered a connection error|was closed) and is not queryable$/,
];

/**
 * Whether an error means the database cannot serve right now (rather than that the request or
 * the code is wrong), and how long to tell the client to wait. The one place that knows the
 * drivers' ways of saying so: PostgreSQL down, restarting or refusing connections, a connection
 * cut, the pool's wait for a connection timing out; SQLite's write lock held past the busy
 * timeout. Looks through `cause` and an AggregateError's `errors` (a connection attempt to
 * several addresses).
 */
export function unavailability(e: unknown, depth = 0): { retryAfter: number } | null {
  if (typeof e !== 'object' || e === null || depth > 4) return null;
  const err = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  if (code.startsWith('SQLITE_BUSY')) return { retryAfter: RETRY_AFTER_BUSY };
  // Class 08 but 08P01: a statement with more than 65,535 variables wraps the protocol's count and
  // is refused as a protocol violation; that is the statement's fault, and a retry fails alike.
  if ((/^08[0-9A-Z]{3}$/.test(code) && code !== '08P01') || PG_UNAVAILABLE.has(code) || NETWORK.has(code))
    return { retryAfter: RETRY_AFTER_DOWN };
  if (!code && typeof err.message === 'string' && PG_MESSAGES.some((m) => m.test(err.message as string)))
    return { retryAfter: RETRY_AFTER_DOWN };
  for (const inner of [err.cause, ...(Array.isArray(err.errors) ? err.errors : [])]) {
    const found = unavailability(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Seconds to put in Retry-After when the database cannot be reached at all. */
export const RETRY_AFTER_UNREACHABLE = RETRY_AFTER_DOWN;

/**
 * Asks the database now, cheaply: true when it answers within `timeoutMs`. Nothing is
 * remembered between calls; a query that outlives the wait finishes (or fails) on its own.
 */
export async function ping(db: Db<any>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const asked = sql`select 1`.execute(db.kysely).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([asked, late]);
  } finally {
    clearTimeout(timer);
  }
}
