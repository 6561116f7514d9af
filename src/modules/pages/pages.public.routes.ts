import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { parseFormPosts } from '../../http/form-post.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { pageShell } from '../../http/public-page.ts';
import type { Limit, RateLimiter } from '../../http/rate-limit.ts';
import { Obj } from '../../http/schemas.ts';
import { isAppError } from '../../lib/errors.ts';
import type { SettingsService } from '../settings/module.ts';
import { SLUG } from './pages.model.ts';
import { limited, type PageAnswer } from './pages.render.ts';
import type { PageServer, Visit } from './pages.server.ts';

/** Per client address, every page and post: a person reads and sends a few; the limit keeps a client from walking slugs and links. */
const PAGES_PER_IP: Limit = { scope: 'pages:ip', max: 120, windowMs: 60_000 };
/** A form of a hundred fields fits (as the forms' own endpoint). */
const BODY_LIMIT = 16 * 1024;

export interface PagesPublicRouteDeps {
  pageServer: PageServer;
  rateLimiter: Pick<RateLimiter, 'check'>;
  settings: Pick<SettingsService, 'get'>;
}

const SlugParams = Obj({ slug: Type.String({ minLength: 1, maxLength: 64, pattern: SLUG.source }) });
// Open: a page's address may carry a campaign's own parameters (utm_…); only `t` is read.
const Query = Type.Object({ t: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) });

const send = (reply: FastifyReply, a: PageAnswer) => reply.status(a.status).headers(a.headers).send(a.html);

const visitOf = (req: FastifyRequest, body: Record<string, unknown>): Visit => {
  const ua = req.headers['user-agent'];
  const t = (req.query as { t?: string } | undefined)?.t;
  return { token: t ?? null, body, ip: req.ip, userAgent: typeof ua === 'string' ? ua : null, headers: req.headers };
};

/**
 * The pages served by Assent at /p/{slug} (mounted without /public/v1: a page's address is what
 * people see and share). No login; every malformed address gets the generic 404 (`link`).
 */
export const pagesPublicRoutes =
  (s: PagesPublicRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const notFound = async (req: FastifyRequest, reply: FastifyReply) => send(reply, await s.pageServer.notFound(req));
    const open = { access: 'public', audit: false, link: notFound } as const;
    /** The per-client limit, answered as a page. */
    const within = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
      try {
        await s.rateLimiter.check(PAGES_PER_IP, req.ip);
        return true;
      } catch (e) {
        if (!isAppError(e) || e.code !== 'rate_limited') throw e;
        const shell = pageShell(req, (await s.settings.get()).organisation);
        await send(reply, limited(shell, (e.details as { retryAfter?: number } | undefined)?.retryAfter));
        return false;
      }
    };

    await app.register(async (plain) => {
      const r = plain.withTypeProvider<TypeBoxTypeProvider>();
      parseFormPosts(r, BODY_LIMIT);

      r.get('/:slug', { config: open, schema: { hide: true, params: SlugParams, querystring: Query } }, async (req, reply) => {
        if (!(await within(req, reply))) return reply;
        return send(reply, await s.pageServer.get(req.params.slug, visitOf(req, {}), req, req.method === 'GET'));
      });

      r.post(
        '/:slug',
        { config: open, bodyLimit: BODY_LIMIT, schema: { hide: true, params: SlugParams, querystring: Query } },
        async (req, reply) => {
          if (!(await within(req, reply))) return reply;
          const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
          return send(reply, await s.pageServer.post(req.params.slug, visitOf(req, body), req));
        },
      );
    });
  };
