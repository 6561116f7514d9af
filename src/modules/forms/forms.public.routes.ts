import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { corsOnSend, preflight } from '../../http/cors.ts';
import { parseFormPosts } from '../../http/form-post.ts';
import { pageLanguage, pageShell } from '../../http/public-page.ts';
import type { SettingsService } from '../settings/module.ts';
import { Type } from 'typebox';
import { ErrorBody, Obj, withExamples } from '../../http/schemas.ts';
import { AppError } from '../../lib/errors.ts';
import { frameHeaders } from './forms.embed.ts';
import { confirmedPage, confirmPage, invalidLinkPage, invalidPage, PAGE_HEADERS, receivedPage } from './forms.pages.ts';
import { ReceivedSchema, SubmissionSchema, SubmitParams } from './forms.schemas.ts';
import type { FormsService } from './forms.service.ts';
import { receivedText } from './forms.text.ts';

/** A form of a hundred fields fits; anything bigger is not a person filling a form. */
export const SUBMIT_BODY_LIMIT = 16 * 1024;

/**
 * The one answer to every accepted submission, byte for byte, whether or not the address is
 * known: in the request's language (`?lang=`, else Accept-Language), never the address's.
 */
export const received = (lang: string) => ({ data: { status: 'received' as const, message: receivedText(lang) } });
const RECEIVED = received('en');

const open = { access: 'public', audit: false } as const;

function html(reply: FastifyReply, status: number, body: string, headers: Record<string, string> = PAGE_HEADERS) {
  return reply.status(status).headers(headers).send(body);
}

/**
 * A post from the frame page (forms.embed.routes.ts) is answered inside the frame: that answer
 * may be framed by the form's allowed origins too, or the browser would show a blocked frame.
 */
const framed = async (s: FormsPublicRouteDeps, req: FastifyRequest, formId: string) =>
  req.headers['sec-fetch-dest'] === 'iframe' ? frameHeaders((await s.forms.live(formId)).allowedOrigins, PAGE_HEADERS) : PAGE_HEADERS;

/** The link's one refusal (forged, expired, used, malformed): the same page. */
const refuse = (s: FormsPublicRouteDeps) => async (req: FastifyRequest, reply: FastifyReply) =>
  html(reply, 400, invalidLinkPage(await shellOf(s, req)));
/**
 * The page's language (`?lang=`, else Accept-Language) and the organisation it names. Never the
 * language of whom an address belongs to: these pages answer anyone.
 */
const shellOf = async (s: FormsPublicRouteDeps, req: FastifyRequest) => pageShell(req, (await s.settings.get()).organisation);
const TokenParams = Obj({ token: Type.String({ minLength: 1, maxLength: 200 }) });
/**
 * CORS (src/http/cors.ts) for a page on one of the form's `allowedOrigins`, so a fetch() there
 * can read the answer; an unknown or archived form allows no origin: the same answer as a refusal.
 */
const formAllows = (s: FormsPublicRouteDeps, formId: unknown) => async (origin: string) =>
  typeof formId === 'string' &&
  formId.length <= 100 &&
  s.forms.live(formId).then(
    (f) => f.allowedOrigins.includes(origin.toLowerCase()),
    (e: unknown) => (e instanceof AppError && e.code === 'not_found' ? false : Promise.reject(e)),
  );
const formIdOf = (req: FastifyRequest) => (req.params as { formId?: unknown } | undefined)?.formId;

/** What these routes use: the module's face, nothing else. */
export interface FormsPublicRouteDeps {
  forms: FormsService;
  settings: Pick<SettingsService, 'get'>;
}

/** Form submissions (JSON, or a plain HTML form's post) and the double opt-in link's pages, under /public/v1: no login. */
export const formsPublicRoutes =
  (s: FormsPublicRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const link = { ...open, link: refuse(s) } as const;
    await app.register(async (plain) => {
      const r = plain.withTypeProvider<TypeBoxTypeProvider>();
      parseFormPosts(r, SUBMIT_BODY_LIMIT);

      r.options('/forms/:formId', { config: open, schema: { hide: true } }, async (req, reply) =>
        preflight(req, reply, formAllows(s, formIdOf(req))),
      );

      r.post(
        '/forms/:formId',
        {
          config: open,
          bodyLimit: SUBMIT_BODY_LIMIT,
          // On every answer, refusals included, so an allowed page can read why it was refused.
          onSend: corsOnSend((req) => formAllows(s, formIdOf(req))),
          schema: {
            tags: ['public'],
            summary: 'Submit a form',
            description:
              'JSON, or `application/x-www-form-urlencoded` from a plain HTML form (answered with an HTML page). Each field by its ' +
              'name; lists ticked repeat their name. Invalid fields are 400 `validation_failed` with `details` `{path: "/<field ' +
              'name>", message}`. Otherwise always 200 with the same body, whether the address is known, unknown or suppressed: ' +
              'the changes are applied (or a double opt-in link mailed) afterwards. A submission can only raise the consent level ' +
              'and join lists. `website` is a trap for robots: leave it empty (a filled one is accepted and dropped). A cross-site ' +
              'post must come from one of the form’s `allowedOrigins` (the Origin header; else 403), and a page there may read the ' +
              'answer (CORS: `OPTIONS` answers its preflight; other origins get no CORS header). Bodies over 16 KiB are ' +
              'refused (413). Rate-limited per client address (429) and per address submitted (dropped silently).',
            security: [],
            params: SubmitParams,
            body: withExamples(SubmissionSchema, { email: 'lena.fischer@example.org', first_name: 'Lena', consent: '3', website: '' }),
            response: {
              200: withExamples(ReceivedSchema, RECEIVED),
              400: ErrorBody,
              403: ErrorBody,
              404: ErrorBody,
              413: ErrorBody,
              429: ErrorBody,
            },
          },
        },
        async (req, reply) => {
          const plainForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
          const lang = pageLanguage(req);
          const query = req.query as { lang?: unknown } | undefined;
          const ctx = {
            ip: req.ip,
            userAgent: req.headers['user-agent'] ?? null,
            origin: req.headers.origin ?? null,
            // The double opt-in mail speaks the page's language (an explicit ?lang= outranks the contact's own).
            language: { page: typeof query?.lang === 'string' ? pageLanguage({ query, headers: {} }) : null, request: lang },
          };
          try {
            await s.forms.submit(req.params.formId, req.body, ctx);
          } catch (e) {
            if (!plainForm || !(e instanceof AppError) || e.code !== 'validation_failed') throw e;
            const form = await s.forms.live(req.params.formId);
            const problems = (e.details as { path: string; message: string }[]).map((p) => ({
              label: form.fields.find((f) => `/${f.name}` === p.path)?.label ?? p.path.slice(1),
              message: p.message,
            }));
            return html(reply, 400, invalidPage(await shellOf(s, req), problems), await framed(s, req, form.id));
          }
          if (plainForm) return html(reply, 200, receivedPage(await shellOf(s, req)), await framed(s, req, req.params.formId));
          return reply.status(200).header('cache-control', 'no-store').send(received(lang));
        },
      );

      // A GET never changes anything: mail scanners open links before people do.
      r.get('/forms/confirm/:token', { config: link, schema: { hide: true, params: TokenParams } }, async (req, reply) =>
        (await s.forms.pendingConfirmation(req.params.token))
          ? html(reply, 200, confirmPage(await shellOf(s, req)))
          : html(reply, 400, invalidLinkPage(await shellOf(s, req))),
      );

      r.post('/forms/confirm/:token', { config: link, bodyLimit: 1024, schema: { hide: true, params: TokenParams } }, async (req, reply) =>
        (await s.forms.confirm(req.params.token))
          ? html(reply, 200, confirmedPage(await shellOf(s, req)))
          : html(reply, 400, invalidLinkPage(await shellOf(s, req))),
      );
    });
  };
