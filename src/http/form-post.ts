import type { FastifyInstance } from 'fastify';

/**
 * Whether a POST came from a page of this installation: its `Origin` (every current browser sends
 * one with a form post), else its `Referer`, must have the public base URL's origin. Neither, or
 * `null` (an opaque origin: a sandboxed frame, a `data:` page), is refused.
 */
export function sameOrigin(headers: Record<string, string | string[] | undefined>, origin: string): boolean {
  const o = headers.origin;
  if (typeof o === 'string') return o === origin;
  const r = headers.referer;
  if (typeof r !== 'string') return false;
  try {
    return new URL(r).origin === origin;
  } catch {
    return false;
  }
}

/**
 * Reads a plain HTML form's post (`application/x-www-form-urlencoded`) in this plugin's scope, at
 * most `bodyLimit` bytes. A repeated name keeps every value, as an array (the lists ticked); a
 * route's schema refuses repetition where it wants one value.
 */
export function parseFormPosts(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    const fields: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      const had = fields[k];
      fields[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
    }
    done(null, fields);
  });
}
