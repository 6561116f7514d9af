import { AppError } from './errors.ts';

/**
 * Error text that may leave the process (logs, a job's last_error) without personal data.
 * Our own AppErrors carry messages written for callers; every other error's message comes
 * from a library or driver and can quote the values it choked on (PostgreSQL: `invalid input
 * syntax for type integer: "…"`, a unique violation's `detail`: `Key (email)=(…) already
 * exists`). Those are kept to their shape: quoted values, key values and anything that looks
 * like an address or a number run are replaced, and only known structural fields are kept.
 */
const SCRUB: [RegExp, string][] = [
  [/"(?:[^"\\]|\\.)*"/g, '"[value]"'],
  [/'(?:[^'\\]|\\.)*'/g, "'[value]'"],
  [/=\((?:[^()]|\([^()]*\))*\)/g, '=([value])'],
  [/[^\s@"'<>()]+@[^\s@"'<>()]+/g, '[address]'],
  [/\+?\d[\d ()./-]{5,}\d/g, '[number]'],
];

export function scrub(text: string): string {
  let out = text;
  for (const [re, by] of SCRUB) out = out.replace(re, by);
  return out;
}

/** Fields of driver errors that name structure (codes, tables, constraints), never values. */
const STRUCTURAL = ['code', 'errno', 'severity', 'constraint', 'table', 'column', 'schema', 'routine', 'dataType', 'statusCode'] as const;

export interface SafeError {
  type: string;
  message: string;
  stack?: string;
  cause?: SafeError;
  [field: string]: unknown;
}

/** A log serializer for errors: structure kept, values gone (see above). */
export function safeError(e: unknown, depth = 0): SafeError {
  if (!(e instanceof Error)) return { type: typeof e, message: scrub(String(e)) };
  const own = e instanceof AppError;
  const out: SafeError = { type: e.constructor?.name ?? 'Error', message: own ? e.message : scrub(e.message) };
  for (const f of STRUCTURAL) {
    const v = (e as unknown as Record<string, unknown>)[f];
    if (typeof v === 'string' || typeof v === 'number') out[f] = typeof v === 'string' ? scrub(v) : v;
  }
  if (e.stack) out.stack = own ? e.stack : scrub(e.stack);
  if (e.cause !== undefined && depth < 3) out.cause = safeError(e.cause, depth + 1);
  return out;
}

/** One line for an operator (a job's last_error): the code and the scrubbed message. */
export function describeError(e: unknown): string {
  const s = safeError(e);
  const code = typeof s.code === 'string' && s.code ? `${s.code}: ` : '';
  return `${code}${s.message || s.type}`;
}
