import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { ErrorBody } from '../../http/schemas.ts';
import type { Services } from '../../services.ts';
import { alreadyConfirmedPage, confirmedPage, confirmPage, invalidLinkPage, PAGE_HEADERS } from './public.pages.ts';
import { PublicAcceptedSchema, PublicIntakeSchema } from './requests.schemas.ts';

/** Public input is small; anything bigger is not a request from a person. */
const PUBLIC_BODY_LIMIT = 4 * 1024;

/** The one answer to every accepted intake, byte for byte, whether or not the address is known. */
const ACCEPTED = { data: { status: 'received' as const, message: 'If the address can receive mail, we have sent it a link to confirm the request.' } };

const open = { access: 'public', audit: false } as const;

function html(reply: FastifyReply, status: number, body: string) {
  return reply.status(status).headers(PAGE_HEADERS).send(body);
}

function tokenOf(source: unknown): string {
  const t = (source as { token?: unknown } | null | undefined)?.token;
  return typeof t === 'string' ? t : '';
}

/** Self-service intake and the verification link's pages, under /public/v1: no login. */
export const publicRequestRoutes =
  (s: Services): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/requests',
      {
        config: open,
        bodyLimit: PUBLIC_BODY_LIMIT,
        schema: {
          tags: ['public'],
          summary: 'Make a data-subject request; a link to confirm it is emailed to the address',
          description: 'Always 202 with the same body, whether or not the address is known. Leave `website` empty. Rate-limited per client (429).',
          security: [],
          body: PublicIntakeSchema,
          response: { 202: PublicAcceptedSchema, 400: ErrorBody, 413: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => {
        await s.requestIntake.fromPublic(req.body, { ip: req.ip });
        return reply.status(202).header('cache-control', 'no-store').send(ACCEPTED);
      },
    );

    // The pages take a form post, so only they get a form parser.
    await app.register(async (pages) => {
      pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: PUBLIC_BODY_LIMIT }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });

      // A GET never changes anything: mail scanners open links before people do.
      pages.get('/requests/verify', { config: open, schema: { hide: true } }, async (req, reply) => {
        const token = tokenOf(req.query);
        const c = token ? await s.requestVerification.check(token) : null;
        return c ? html(reply, 200, confirmPage(token, c.type)) : html(reply, 400, invalidLinkPage());
      });

      pages.post('/requests/verify', { config: open, bodyLimit: PUBLIC_BODY_LIMIT, schema: { hide: true } }, async (req, reply) => {
        const token = tokenOf(req.body);
        const outcome = token ? await s.requestVerification.confirm(token) : 'invalid';
        if (outcome === 'verified') return html(reply, 200, confirmedPage());
        if (outcome === 'already_verified') return html(reply, 200, alreadyConfirmedPage());
        return html(reply, 400, invalidLinkPage());
      });
    });
  };
