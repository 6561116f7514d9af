// Bounded concurrent load for the harness: a small pool of in-flight HTTP requests against the
// installation's servers, for a duration, a number of rounds, or until a condition holds.

/** Raises rounds, jobs and durations for a soak outside CI: ASSENT_HARNESS_SCALE=10 npm test -- multiprocess. */
export const SCALE = Math.max(1, Number(process.env.ASSENT_HARNESS_SCALE) || 1);

export interface Reply {
  /** 0 when no HTTP answer came (connection refused or reset, timeout): a server that died says so. */
  status: number;
  body: any;
  headers: Headers | null;
  /** The network error's code when status is 0. */
  error: string | null;
  startedAt: number;
  endedAt: number;
}

export interface CallOptions {
  headers?: Record<string, string>;
  body?: unknown;
  /** A body sent as it is (with its own content-type header), e.g. a CSV file. */
  text?: string;
  timeoutMs?: number;
}

/** One request; never throws. */
export async function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const startedAt = Date.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : opts.text !== undefined ? { body: opts.text } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, headers: res.headers, error: null, startedAt, endedAt: Date.now() };
  } catch (e) {
    const err = e as { name?: string; cause?: { code?: string }; code?: string };
    return {
      status: 0,
      body: null,
      headers: null,
      error: err.cause?.code ?? err.code ?? err.name ?? 'error',
      startedAt,
      endedAt: Date.now(),
    };
  }
}

/**
 * call(), and again after a 503 (the database was busy or away, nothing was done), as a client
 * is told to: at most `tries` times in all, waiting the Retry-After (capped at a second: the
 * harness's outages are short).
 */
export async function callRetrying(
  base: string,
  method: string,
  path: string,
  opts: CallOptions,
  onRetry: () => void = () => undefined,
  tries = 4,
): Promise<Reply> {
  for (let n = 1; ; n++) {
    const r = await call(base, method, path, opts);
    if (r.status !== 503 || n >= tries) return r;
    onRetry();
    await sleep(Math.min(1_000, 1_000 * Number(r.headers?.get('retry-after') ?? 1)));
  }
}

export interface PoolOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Stop starting new tasks after this long. */
  durationMs?: number;
  /** Stop after this many tasks. */
  rounds?: number;
  /** Stop once this returns true (checked before each task). */
  until?: () => boolean;
}

/**
 * Runs `task(i, lane)` in `concurrency` lanes until the bound is reached; each lane runs its
 * tasks one after another, so a lane can own data (a contact) that no other lane touches.
 * Returns how many tasks ran.
 */
export async function pool(opts: PoolOptions, task: (i: number, lane: number) => Promise<void>): Promise<number> {
  if (opts.durationMs === undefined && opts.rounds === undefined && !opts.until) throw new Error('an unbounded pool');
  const end = opts.durationMs !== undefined ? Date.now() + opts.durationMs : Number.POSITIVE_INFINITY;
  let next = 0;
  const more = () => Date.now() < end && (opts.rounds === undefined || next < opts.rounds) && !(opts.until?.() ?? false);
  const lane = async (l: number) => {
    while (more()) await task(next++, l);
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, l) => lane(l)));
  return next;
}

/** Counts of outcomes by label, for the case's note and failure messages. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }
  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }
  toString(): string {
    return [...this.counts]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ');
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}
