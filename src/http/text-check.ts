import type { FastifyInstance } from 'fastify';
import { AppError } from '../lib/errors.ts';
import { printable, unholdable } from '../lib/text.ts';

/** Enough to fix a request by; a body full of NULs is not listed to the end. */
const MAX_PROBLEMS = 20;

export interface TextProblem {
  in: string;
  path: string;
  message: string;
}

/** A JSON pointer segment, with characters no text can hold written as \uXXXX. */
const segment = (key: string) => printable(key.replace(/~/g, '~0').replace(/\//g, '~1'));

/**
 * Every string and object key in a parsed request part that no database can hold (lib/text.ts),
 * by JSON pointer. Iterative: a filter tree may nest as deep as the body limit allows.
 */
function textProblems(value: unknown, part: string): TextProblem[] {
  const out: TextProblem[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && out.length < MAX_PROBLEMS) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const why = unholdable(v);
      if (why) out.push({ in: part, path: path || '/', message: why });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const at = `${path}/${segment(key)}`;
        const why = unholdable(key);
        if (why) out.push({ in: part, path: at, message: `the key ${why}` });
        else stack.push([(v as Record<string, unknown>)[key], at]);
      }
    }
  }
  return out.slice(0, MAX_PROBLEMS);
}

/**
 * Refuses NUL characters and lone surrogates in every field of every request (path
 * parameters, query string, JSON body with its keys, form fields), whatever the route's
 * schema says, before the schema is checked: PostgreSQL cannot store a NUL and would answer
 * 500; a lone surrogate is silently changed there and stored as bytes that are not UTF-8 on
 * SQLite. A public link gives its own one refusal instead; a file body (CSV) is checked by its
 * reader, which can name the line and column.
 */
export function installTextCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (req, reply) => {
    if (req.is404) return;
    const cfg = req.routeOptions.config;
    const problems = [
      ...textProblems(req.params, 'params'),
      ...textProblems(req.query, 'querystring'),
      // A reader's file body is its reader's to check; a JSON body on the same route is checked here.
      ...(cfg.textBody === 'reader' && (Buffer.isBuffer(req.body) || typeof req.body === 'string') ? [] : textProblems(req.body, 'body')),
    ];
    if (problems.length === 0) return;
    if (cfg.link) return cfg.link(req, reply);
    throw new AppError(
      'validation_failed',
      'the request holds text that cannot be stored (a NUL character or a lone surrogate)',
      problems.slice(0, MAX_PROBLEMS),
    );
  });
}
