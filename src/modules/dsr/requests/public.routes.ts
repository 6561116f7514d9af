import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { corsOnSend, preflight } from '../../../http/cors.ts';
import { pageLanguage, pageShell } from '../../../http/public-page.ts';
import { t } from '../../../i18n/catalogue.ts';
import { ErrorBody, Obj, withExamples } from '../../../http/schemas.ts';
import type { SettingsService } from '../../settings/module.ts';
import type { IntakeService } from './requests.intake.ts';
import type { VerificationService } from './requests.verification.ts';
import { alreadyConfirmedPage, confirmedPage, confirmPage, invalidLinkPage, PAGE_HEADERS } from './public.pages.ts';
import { PublicAcceptedSchema, PublicIntakeSchema } from './requests.schemas.ts';

/** Public input is small; anything bigger is not a request from a person. */
const PUBLIC_BODY_LIMIT = 4 * 1024;

/**
 * The one answer to every accepted intake, byte for byte, whether or not the address is known:
 * in the request's language (`?lang=`, else Accept-Language), never the address's.
 */
const accepted = (lang: string) => ({ data: { status: 'received' as const, message: t(lang, 'dsr.received') } });
const ACCEPTED = accepted('en');

const open = { access: 'public', audit: false } as const;

function html(reply: FastifyReply, status: number, body: string) {
  return reply.status(status).headers(PAGE_HEADERS).send(body);
}

/**
 * The link's one refusal (the same page for a forged, expired or malformed link): a parameter
 * repeated or unknown, text no database holds, a form field too many all get it.
 */
const refuse = (s: PublicRequestRouteDeps) => async (req: FastifyRequest, reply: FastifyReply) =>
  html(reply, 400, invalidLinkPage(await shellOf(s, req)));
/** The page's language (`?lang=`, else Accept-Language) and the organisation it names. */
const shellOf = async (s: PublicRequestRouteDeps, req: FastifyRequest) => pageShell(req, (await s.settings.get()).organisation);
/** The page's language, when a link asks for one (a language the catalogue lacks is passed over, not refused). */
const Lang = Type.Optional(Type.String({ minLength: 1, maxLength: 35 }));
/** Exactly one token (and a language), nothing else: mail clients do not add parameters to a link, so anything more is not our link. */
const TokenOnly = Obj({ token: Type.String({ minLength: 1, maxLength: 1000 }), lang: Lang });

/** CORS for the intake (src/http/cors.ts), for the origins the `publicFormOrigins` setting allows and no other. */
const allowsOrigin = (s: PublicRequestRouteDeps) => (origin: string) => s.requestIntake.allowsOrigin(origin);

/** A form-encoded body as fields; every value of a repeated field is kept (an array), so the schema refuses the repetition. */
function formFields(body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const had = fields[k];
    fields[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  return fields;
}

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface PublicRequestRouteDeps {
  requestIntake: IntakeService;
  requestVerification: VerificationService;
  settings: Pick<SettingsService, 'get'>;
}

/** Self-service intake and the verification link's pages, under /public/v1: no login. */
export const publicRequestRoutes =
  (s: PublicRequestRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const link = { ...open, link: refuse(s) } as const;
    // The intake and the pages take a form post, so only they get a form parser.
    await app.register(async (plain) => {
      const pages = plain.withTypeProvider<TypeBoxTypeProvider>();
      pages.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: PUBLIC_BODY_LIMIT },
        (_req, body, done) => done(null, formFields(body as string)),
      );

      // The browser's question before a page elsewhere posts JSON: answered in full for allowed origins only.
      pages.options('/requests', { config: open, schema: { hide: true } }, async (req, reply) => preflight(req, reply, allowsOrigin(s)));

      pages.post(
        '/requests',
        {
          config: open,
          bodyLimit: PUBLIC_BODY_LIMIT,
          // On every answer, refusals included, so an allowed page can read why it was refused.
          onSend: corsOnSend(() => allowsOrigin(s)),
          schema: {
            tags: ['public'],
            summary: 'Make a data-subject request; a link to confirm it is emailed to the address',
            description:
              'For a web form of your own (JSON, or a plain HTML form posting `application/x-www-form-urlencoded`) or a person ' +
              'calling directly: opens a case and emails the address a link to confirm it; ' +
              'nothing is released or changed before the link is opened and confirmed. Always 202 with the same body, whether ' +
              'or not the address is known, so the answer reveals nothing. `website` is a trap for robots: leave it empty (a ' +
              'filled one is accepted and dropped). Bodies over 4 KiB are refused (413). Rate-limited per client address (429). ' +
              'The same type asked again for the same address while its case is open joins that case (a fresh link is mailed ' +
              'if the case still waits for confirmation). Pages on the origins of the `publicFormOrigins` setting may call it ' +
              'from the browser (CORS).',
            security: [],
            body: withExamples(PublicIntakeSchema, { type: 'access', email: 'lena.fischer@example.org' }),
            response: { 202: withExamples(PublicAcceptedSchema, ACCEPTED), 400: ErrorBody, 413: ErrorBody, 429: ErrorBody },
          },
        },
        async (req, reply) => {
          await s.requestIntake.fromPublic(req.body, { ip: req.ip });
          return reply
            .status(202)
            .header('cache-control', 'no-store')
            .send(accepted(pageLanguage(req)));
        },
      );

      // A GET never changes anything: mail scanners open links before people do.
      pages.get('/requests/verify', { config: link, schema: { hide: true, querystring: TokenOnly } }, async (req, reply) => {
        const token = req.query.token;
        const c = await s.requestVerification.check(token);
        const shell = await shellOf(s, req);
        return c
          ? html(reply, 200, confirmPage(shell, token, c.type, req.query.lang ? shell.lang : null))
          : html(reply, 400, invalidLinkPage(shell));
      });

      // The token travels in the form only: the page's form posts to a bare URL (with the language a link chose, if any).
      pages.post(
        '/requests/verify',
        {
          config: link,
          bodyLimit: PUBLIC_BODY_LIMIT,
          schema: { hide: true, querystring: Obj({ lang: Lang }), body: Obj({ token: TokenOnly.properties.token }) },
        },
        async (req, reply) => {
          const outcome = await s.requestVerification.confirm(req.body.token);
          const shell = await shellOf(s, req);
          // The deadline is read after the confirmation, from the case the token names.
          const c = outcome === 'verified' ? await s.requestVerification.check(req.body.token) : null;
          if (outcome === 'verified' && c) return html(reply, 200, confirmedPage(shell, c.deadline));
          if (outcome === 'verified' || outcome === 'already_verified') return html(reply, 200, alreadyConfirmedPage(shell));
          return html(reply, 400, invalidLinkPage(shell));
        },
      );
    });
  };
