import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.ts';
import { isId } from '../lib/ids.ts';
import { can, deniedFields } from './access.ts';
import type { Actor, Principal } from './principal.ts';
import type { RouteAccessConfig } from './route-config.ts';

export const SESSION_COOKIE = 'assent_session';

/**
 * What authentication needs from the modules, declared here so the HTTP layer imports none of
 * them: the users module resolves keys and sessions, the audit module records (the composition
 * root hands both in).
 */
export interface AuthPorts {
  resolveKey(key: string): Promise<Principal | null>;
  resolveSession(token: string): Promise<Principal | null>;
  record(entry: {
    actor: Actor;
    action: string;
    targetType: string | null;
    targetId: string | null;
    outcome: 'ok' | 'denied';
    requestId: string;
    count: number | null;
  }): Promise<unknown>;
}

/** Every /api route with what it declared: the access and audit tests enumerate this. */
export interface ApiRoute {
  method: string;
  url: string;
  access: NonNullable<RouteAccessConfig['access']>;
  audit: NonNullable<RouteAccessConfig['audit']>;
}

declare module 'fastify' {
  interface FastifyInstance {
    apiRoutes: ApiRoute[];
  }
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : '';
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.principal) return { type: 'anonymous', id: null };
  return { type: req.principal.kind, id: req.principal.id };
}

/** The ledger source of a change a caller makes through the API: a console user or a program. */
export function sourceOf(req: FastifyRequest): 'admin' | 'api' {
  return req.principal?.kind === 'user' ? 'admin' : 'api';
}

/**
 * Refuses (403, audited as a denial like any other) a body that writes a contact field the
 * caller's role may not write, whatever the route's own access: see CONTACT_FIELD_ACCESS.
 * `at` is where the fields sit in the body (`/changes` for a rectification).
 */
export function requireFieldAccess(req: FastifyRequest, fields: Iterable<string>, at = ''): void {
  const role = req.principal?.role;
  if (!role) throw new AppError('unauthenticated', 'an API key or a session is required');
  const denied = deniedFields(role, fields);
  if (denied.length) {
    throw new AppError(
      'forbidden',
      `the ${role} role may not write ${denied.join(', ')}: that needs consent write access`,
      denied.map((f) => ({ path: `${at}/${f}`, message: 'needs consent write access' })),
    );
  }
}

/**
 * Authentication (API key or session cookie), authorisation against the access table,
 * and the audit entry, for every route under /api/v1. Routes declare what they need in
 * their config; a route that declares nothing cannot be registered.
 */
export function installAuth(app: FastifyInstance, ports: AuthPorts): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('auditTargetId', null);
  app.decorateRequest('auditCount', null);

  const table: ApiRoute[] = [];
  app.decorate('apiRoutes', table);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const cfg = route.config ?? {};
    if (!cfg.access) throw new Error(`route ${route.method} ${route.url} declares no access`);
    if (cfg.audit === undefined) throw new Error(`route ${route.method} ${route.url} declares no audit action (use false for none)`);
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      table.push({ method, url: route.url, access: cfg.access, audit: cfg.audit });
    }
  });

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (!access || access === 'public') return;
    const key = bearer(req);
    if (key !== null) {
      req.principal = key ? await ports.resolveKey(key) : null;
    } else {
      const token = req.cookies[SESSION_COOKIE];
      if (token) req.principal = await ports.resolveSession(token);
    }
    if (!req.principal) throw new AppError('unauthenticated', 'an API key or a session is required');
    if (access !== 'authenticated' && !can(req.principal.role, access.area, access.op)) {
      throw new AppError('forbidden', `the ${req.principal.role} role may not ${access.op} ${access.area}`);
    }
  });

  // Written before the response leaves, so a client never sees success without its audit entry.
  app.addHook('onSend', async (req, reply, payload) => {
    const audit = req.routeOptions.config.audit;
    if (!audit || !req.principal) return payload;
    const status = reply.statusCode;
    const outcome = status < 400 ? 'ok' : status === 403 ? 'denied' : null;
    if (!outcome) return payload;
    const params = req.params as { id?: string } | undefined;
    await ports.record({
      actor: actorOf(req),
      action: audit.action,
      targetType: audit.target ?? null,
      // Params are not validated yet when access was denied: only a well-formed id is recorded.
      targetId: req.auditTargetId ?? (isId(params?.id) ? params.id : null),
      outcome,
      requestId: String(req.id),
      count: req.auditCount,
    });
    return payload;
  });
}
