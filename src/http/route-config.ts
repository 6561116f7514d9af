import type { Area, Op } from './access.ts';
import type { Principal } from '../modules/users/users.model.ts';

/**
 * What each route declares about itself. Under /api/v1 a route must name its access
 * (area and operation, or `authenticated` for any signed-in caller, or `public`) and its
 * audit action; the app refuses to start otherwise, so no route is left open by omission.
 */
export interface RouteAccessConfig {
  access?: { area: Area; op: Op } | 'authenticated' | 'public';
  /** Audit action (`<area>.<verb>`) and the type of record it acts on. */
  audit?: { action: string; target?: string } | false;
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccessConfig {}
  interface FastifyRequest {
    principal: Principal | null;
    /** Set by a handler that creates a record, so the audit entry names it. */
    auditTargetId: string | null;
  }
}
