import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Area, Op } from './access.ts';
import type { Principal } from './principal.ts';

/**
 * What each route declares about itself. Under /api/v1 a route must name its access
 * (area and operation, or `authenticated` for any signed-in caller, or `public`) and its
 * audit action; the app refuses to start otherwise, so no route is left open by omission.
 */
export interface RouteAccessConfig {
  access?: { area: Area; op: Op } | 'authenticated' | 'public';
  /** Audit action (`<area>.<verb>`) and the type of record it acts on. */
  audit?: { action: string; target?: string } | false;
  /**
   * A public link (a signed token in the URL) and its one refusal. Whatever is malformed (a
   * parameter repeated, unknown or of the wrong shape, text no database holds, a path the router
   * cannot read) gets this answer and nothing else, so a probe learns nothing from it.
   */
  link?: LinkRefusal;
  /**
   * The body is a file the route's reader checks line by line (CSV imports), naming line and column: the request-wide text check leaves it
   * alone.
   */
  textBody?: 'reader';
}

export type LinkRefusal = (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | FastifyReply;

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccessConfig {}
  interface FastifyRequest {
    principal: Principal | null;
    /** Set by a handler that creates a record, so the audit entry names it. */
    auditTargetId: string | null;
    /** Set by a bulk action's handler: how many records it covered, written with its one audit entry. */
    auditCount: number | null;
  }
}
