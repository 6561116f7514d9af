import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installAuth, SESSION_COOKIE } from './http/auth.ts';
import { installConsole } from './http/console.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './http/errors.ts';
import { installLinks } from './http/links.ts';
import { RequestLog } from './http/request-log.ts';
import { DOC_LINKS, readDoc, swaggerOptions } from './http/openapi.ts';
import { installTextCheck } from './http/text-check.ts';
import './http/route-config.ts';
import { ping, RETRY_AFTER_UNREACHABLE } from './db/availability.ts';
import { isMigrated } from './db/migrate.ts';
import { newId } from './lib/ids.ts';
import { composedMigrations, moduleRoutes, type Services } from './services.ts';

const REQUEST_ID = /^[A-Za-z0-9_.:-]{8,64}$/;
// A caller's id is kept in the logs and the audit log, which outlive every erasure: one that could
// carry a phone or customer number (six digits in a row once separators are dropped) is replaced.
// Hex ids (UUIDs, tracing proxies' ids) are what proxies generate, and are kept.
const HEX_ID = /^[0-9A-Fa-f-]+$/;
const mayCarryNumber = (id: string) => !HEX_ID.test(id) && /\d{6}/.test(id.replace(/[_.:-]/g, ''));
/** How long /health waits for the database before saying it cannot be reached. */
const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Two validators: bodies are checked as sent (no coercion, unknown fields rejected by the
 * closed schemas); query strings and path params are text by nature, so numbers and
 * booleans there are converted, and still rejected when they do not parse.
 */
function validators() {
  const base = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false } as const;
  const body = new Ajv({ ...base, coerceTypes: false });
  const text = new Ajv({ ...base, coerceTypes: true });
  // ajv-formats is CommonJS: its default export arrives wrapped under ESM.
  const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ?? formatsPlugin) as unknown as (
    a: Ajv,
  ) => void;
  addFormats(body);
  addFormats(text);
  return { body, text };
}

export type App = FastifyInstance;

const trustHops = (n: number) => (_addr: string, hop: number) => hop < n;

export async function buildApp(services: Services): Promise<App> {
  const app = Fastify({
    loggerInstance: services.log as FastifyBaseLogger,
    bodyLimit: services.config.bodyLimit,
    // A hop count as proxy-addr's function form: trust the nearest n hops (the typings lack the number form).
    trustProxy: typeof services.config.trustProxy === 'number' ? trustHops(services.config.trustProxy) : services.config.trustProxy,
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && REQUEST_ID.test(h) && !mayCarryNumber(h) ? h : newId();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // Signed tokens travel as path parameters (the email links, /public/v1/email/*/{token}): longer than the default 100.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // Every answer in the error envelope, those given before routing too (src/http/errors.ts).
    clientErrorHandler,
    frameworkErrors,
    return503OnClosing: false,
    http: { requireHostHeader: false },
    logController: new RequestLog(services.log),
  }).withTypeProvider<TypeBoxTypeProvider>();

  const v = validators();
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers' ? v.text : v.body;
    return ajv.compile(schema);
  });

  installErrorHandling(app);
  installLinks(app);
  installTextCheck(app);
  // JSON only, unless a route registers another type (CSV imports will): a text body sent to a
  // JSON route is refused as the wrong media type rather than failing validation as a string.
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  installAuth(app, {
    resolveKey: (key) => services.users.resolveKey(key),
    resolveSession: (token) => services.users.resolveSession(token),
    record: (entry) => services.audit.record(entry),
  });
  app.addHook('onSend', async (req, reply, payload) => {
    void reply.header('x-request-id', String(req.id));
    return payload;
  });

  await app.register(
    swagger,
    swaggerOptions({
      apiKey: { type: 'http', scheme: 'bearer', description: 'An API key created with `assent keys create`.' },
      session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The console session, set by `POST /api/v1/session`.' },
    }),
  );
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Readiness: the database is asked on every call (cheaply, briefly), because a success
  // remembered from earlier says nothing about now. Migrations only go forward, so once they are
  // seen applied that part is not read again.
  let migrated = false;
  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    if (!(await ping(services.db, HEALTH_TIMEOUT_MS))) {
      void reply.header('retry-after', String(RETRY_AFTER_UNREACHABLE));
      return reply.status(503).send({ error: { code: 'database_unavailable', message: 'the database cannot be reached' } });
    }
    migrated ||= await isMigrated(services.db, composedMigrations(services)).catch(() => false);
    if (!migrated) return reply.status(503).send({ error: { code: 'not_ready', message: 'database not migrated' } });
    return { status: 'ok' };
  });
  // Liveness: the process answers; whether it should be restarted says nothing about the database.
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The two references the document links to, served beside it so the links work on every installation.
  for (const [name, path] of Object.entries(DOC_LINKS)) {
    app.get(path, { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/markdown; charset=utf-8').send(await readDoc(`${name}.md` as 'errors.md', services.config.databaseUrl)),
    );
  }

  // The web console (admin/dist) at /admin, and `/` leading there.
  await installConsole(app);

  // Each module's routes, in the order of the list of modules (src/modules/index.ts).
  for (const r of moduleRoutes(services)) await app.register(r.plugin, { prefix: r.prefix });

  await app.ready();
  return app;
}
