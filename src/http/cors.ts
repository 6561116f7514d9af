import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * CORS for public endpoints a page on another site may call (the data-request intake, a form
 * embedded on the organisation's site): the origins the caller allows and no other. An allowed
 * origin is echoed; everyone else gets no CORS header at all (the browser then withholds the
 * answer from the page), and `Vary: Origin` keeps caches from mixing the two.
 */
export type AllowsOrigin = (origin: string) => Promise<boolean>;

/** What a preflight adds for an allowed origin: a POST with a JSON body, asked again after ten minutes. */
export const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
} as const;

/** The CORS headers of an answer to `req`: the origin echoed when `allows` says so, `Vary: Origin` always. */
export async function corsHeaders(req: FastifyRequest, allows: AllowsOrigin): Promise<Record<string, string>> {
  const origin = req.headers.origin;
  const allowed = typeof origin === 'string' && (await allows(origin));
  return allowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
}

/** The answer to the browser's question before a cross-site POST: in full for an allowed origin, bare (204, `Vary`) for any other. */
export async function preflight(req: FastifyRequest, reply: FastifyReply, allows: AllowsOrigin): Promise<FastifyReply> {
  const cors = await corsHeaders(req, allows);
  return reply
    .status(204)
    .headers('access-control-allow-origin' in cors ? { ...cors, ...PREFLIGHT_HEADERS } : cors)
    .send();
}

/** An `onSend` hook putting the CORS headers on every answer of a route, refusals included, so an allowed page can read why. */
export const corsOnSend =
  (allows: (req: FastifyRequest) => AllowsOrigin) =>
  async (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    reply.headers(await corsHeaders(req, allows(req)));
    return payload;
  };
