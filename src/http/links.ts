import type { FastifyInstance } from 'fastify';
import type { LinkRefusal } from './route-config.ts';

interface LinkRoute {
  /** The route's path up to its first parameter: a request under it the router cannot read is this link, malformed. */
  prefix: string;
  exact: boolean;
  refuse: LinkRefusal;
}

declare module 'fastify' {
  interface FastifyInstance {
    linkRoutes: LinkRoute[];
  }
}

/**
 * Public links (routes that declare `link`): their parameters are validated as usual, but a
 * failure reaches the link's one refusal instead of a 400 naming the problem, as do text no
 * database holds (text-check.ts) and paths the router cannot read (errors.ts, frameworkErrors).
 * A probe altering a link in any way learns nothing from the answer.
 */
export function installLinks(app: FastifyInstance): void {
  const table: LinkRoute[] = [];
  app.decorate('linkRoutes', table);
  app.addHook('onRoute', (route) => {
    const refuse = route.config?.link;
    if (!refuse) return;
    route.attachValidation = true;
    const param = route.url.search(/[:*]/);
    table.push({ prefix: param < 0 ? route.url : route.url.slice(0, param), exact: param < 0, refuse });
  });
  app.addHook('preHandler', async (req, reply) => {
    const refuse = req.routeOptions.config.link;
    if (refuse && req.validationError) return refuse(req, reply);
  });
}

/** The refusal of the public link whose path `url` is under, if any. */
export function linkFor(app: FastifyInstance, url: string): LinkRefusal | null {
  const path = url.split('?')[0]!;
  return app.linkRoutes.find((l) => (l.exact ? path === l.prefix : path.startsWith(l.prefix)))?.refuse ?? null;
}
