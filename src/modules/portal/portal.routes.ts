import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { parseFormPosts } from '../../http/form-post.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { pageLanguage, pageShell } from '../../http/public-page.ts';
import type { Limit, RateLimiter } from '../../http/rate-limit.ts';
import type { SettingsService } from '../settings/module.ts';
import { ErrorBody, Obj, withExamples } from '../../http/schemas.ts';
import { AccessExportSchema, EXPORT_CSP } from '../dsr/module.ts';
import {
  centerPage,
  centerSavedPage,
  erasureRequestedPage,
  PAGE_HEADERS,
  portalPage,
  REFUSAL_HEADERS,
  refusalPage,
} from './portal.pages.ts';
import type { PrivacyPortalService } from './privacy.service.ts';
import type { RequestFacts, SubscriptionCenterService } from './subscription.service.ts';

/** Per client address: a person reads and saves a few pages; the limit keeps a client from walking tokens. */
const PAGES_PER_IP: Limit = { scope: 'portal:ip', max: 120, windowMs: 60_000 };
/** A form of a level and up to 200 list ids is well under this. */
const BODY_LIMIT = 16 * 1024;

const TOKEN_EXAMPLE =
  'c3Vic2NyaXB0aW9uX2NlbnRlcg.MDE5M2EwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDBhYmNk.n5q045c0.szKxCyNdh4YkHLxdJURMxO9FsrxtGb5GugUz-FdReqs';
const TokenParams = withExamples(
  Obj({
    token: Type.String({
      minLength: 1,
      maxLength: 1000,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'the signed token of the link, bound to one contact',
    }),
  }),
  { token: TOKEN_EXAMPLE },
);
const FormToken = Type.String({ minLength: 1, maxLength: 1000, description: 'the hidden field of the page: proves the post came from it' });
const CenterBody = Obj({
  form: FormToken,
  level: Type.String({ maxLength: 1, pattern: '^[0-9]$', description: 'the consent level chosen' }),
  list: Type.Optional(
    Type.Union([Type.String({ maxLength: 100 }), Type.Array(Type.String({ maxLength: 100 }), { maxItems: 200 })], {
      description: 'the ids of the lists ticked (repeated field)',
    }),
  ),
});
const ErasureBody = Obj({ form: FormToken });

const html = (description: string, example: string) => ({
  description,
  content: { 'text/html': { schema: withExamples(Type.String(), example) } },
});
const REFUSED = html(
  'The one refusal: the link is forged, altered, expired, of another kind, or its person was erased; or a post lacks the page’s ' +
    'hidden field or comes from another origin (the same page, status and headers for each).',
  '<!doctype html><html lang="en"><head><title>This link cannot be used</title>…',
);
const LIMITED = { ...ErrorBody, description: '`rate_limited`: too many requests from this client address; retry after `Retry-After`.' };

const facts = (req: FastifyRequest): RequestFacts => {
  const ua = req.headers['user-agent'];
  return { headers: req.headers, ip: req.ip, userAgent: typeof ua === 'string' ? ua : null };
};

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface PortalRouteDeps {
  subscriptionCenter: SubscriptionCenterService;
  privacyPortal: PrivacyPortalService;
  rateLimiter: RateLimiter;
  settings: Pick<SettingsService, 'get'>;
}

/** The person's own pages, under /public/v1: no login, no cookie; the signed link is the key. */
export const portalRoutes =
  (s: PortalRouteDeps): FastifyPluginAsyncTypebox =>
  async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    // The organisation the page names, and the page's language: the request's `?lang=`, else the
    // language of the contact the link is bound to, else Accept-Language. The refusal knows no
    // contact: its language is the request's alone, the same for every bad link.
    const organisation = async () => (await s.settings.get()).organisation;
    const shellOf = async (req: FastifyRequest) => pageShell(req, await organisation());
    const shellIn = async (lang: string) => ({ lang, organisation: await organisation() });
    const languageOf = (req: FastifyRequest) => (contactLanguage: string | null) => pageLanguage(req, contactLanguage);
    const refuse = async (req: FastifyRequest, reply: FastifyReply) =>
      reply
        .status(404)
        .headers(REFUSAL_HEADERS)
        .send(refusalPage(await shellOf(req)));
    parseFormPosts(app, BODY_LIMIT);
    const limited = async (req: FastifyRequest, reply: FastifyReply) => {
      await s.rateLimiter.check(PAGES_PER_IP, req.ip);
      return refuse(req, reply);
    };
    const link = { access: 'public', audit: false, link: limited } as const;

    app.get(
      '/subscription/:token',
      {
        config: link,
        schema: {
          tags: ['public'],
          summary: 'The subscription center: the person’s consent level and lists, with a form to change them. Changes nothing.',
          description:
            'The `subscription_center_url` of a message: a signed link bound to the contact, valid 60 days. Shows the level (names ' +
            'and descriptions from the `consentLevels` setting) and the lists, as a form that POSTs to the same address. Every ' +
            'bad link gets the same 404 page. 120 requests a minute per client address.',
          security: [],
          params: TokenParams,
          response: {
            200: html('The page.', '<!doctype html><html lang="en"><head><title>Your subscriptions</title>…'),
            404: REFUSED,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(PAGES_PER_IP, req.ip);
        const v = await s.subscriptionCenter.view(req.params.token, languageOf(req));
        return v
          ? reply
              .status(200)
              .headers(PAGE_HEADERS)
              .send(centerPage(await shellIn(v.lang), v))
          : refuse(req, reply);
      },
    );

    app.post(
      '/subscription/:token',
      {
        config: link,
        bodyLimit: BODY_LIMIT,
        schema: {
          tags: ['public'],
          summary: 'Saves the subscription center’s form: any level, lower included; lists joined or left',
          description:
            'Form-encoded: `form` (the page’s hidden field, bound to the link), `level` (0–5), `list` (each ticked list id, repeated). ' +
            'The post must come from this installation’s origin (`Origin`, else `Referer`, against `publicBaseUrl`). Each change ' +
            'is recorded in the consent ledger with source `subscription_center`, the notice the page showed and the truncated ' +
            'client address. A bad link, a missing or foreign hidden field, or another origin changes nothing and gets the one ' +
            '404 page. At most 16 KiB; 120 requests a minute per client address.',
          security: [],
          params: TokenParams,
          body: CenterBody,
          response: {
            200: html('Saved.', '<!doctype html><html lang="en"><head><title>Your choices are saved</title>…'),
            404: REFUSED,
            413: ErrorBody,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(PAGES_PER_IP, req.ip);
        const v = await s.subscriptionCenter.save(req.params.token, req.body, facts(req), languageOf(req));
        return v
          ? reply
              .status(200)
              .headers(PAGE_HEADERS)
              .send(centerSavedPage(await shellIn(v.lang), req.params.token))
          : refuse(req, reply);
      },
    );

    app.get(
      '/privacy/:token',
      {
        config: link,
        schema: {
          tags: ['public'],
          summary: 'The privacy portal: what is held about the person, with the export, consent and erasure actions',
          description:
            'From the signed link in every consent receipt and on the subscription center (bound to the contact, valid 30 days): ' +
            'the profile, the consent level and its history with the notices shown, the lists, the segments the person is in ' +
            'with each condition in words (never the values compared), and the other records by kind — all read from the access ' +
            'export, which the data map drives. Every bad link gets the same 404 page. 120 requests a minute per client address.',
          security: [],
          params: TokenParams,
          response: {
            200: html('The page.', '<!doctype html><html lang="en"><head><title>Your data</title>…'),
            404: REFUSED,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(PAGES_PER_IP, req.ip);
        const v = await s.privacyPortal.view(req.params.token, languageOf(req));
        return v
          ? reply
              .status(200)
              .headers(PAGE_HEADERS)
              .send(portalPage(await shellIn(v.lang), v))
          : refuse(req, reply);
      },
    );

    app.get(
      '/privacy/:token/export',
      {
        config: link,
        schema: {
          tags: ['public'],
          summary: 'The person’s access export through the portal link: the HTML page, or the JSON document as a file',
          description:
            'The same document staff and the access request get (docs/export-format.md), built now. Audited as `portal.export`. ' +
            'Every bad link gets the same 404 page. 120 requests a minute per client address.',
          security: [],
          params: TokenParams,
          querystring: Obj({
            format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('json')])),
            lang: Type.Optional(Type.String({ minLength: 1, maxLength: 35, description: 'the language of the page (else the person’s)' })),
          }),
          response: {
            200: {
              description: 'The export.',
              content: {
                'text/html': { schema: withExamples(Type.String(), '<!doctype html><html lang="en"><head><title>Your data</title>…') },
                'application/json': { schema: AccessExportSchema },
              },
            },
            404: REFUSED,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(PAGES_PER_IP, req.ip);
        const format = req.query.format ?? 'html';
        const body = await s.privacyPortal.download(req.params.token, format, String(req.id), languageOf(req));
        if (body === null) return refuse(req, reply);
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff');
        if (format === 'json')
          return reply
            .type('application/json; charset=utf-8')
            .header('content-disposition', 'attachment; filename="personal-data.json"')
            .serializer((x) => x as string)
            .send(body);
        return reply.header('content-security-policy', EXPORT_CSP).type('text/html; charset=utf-8').send(body);
      },
    );

    app.post(
      '/privacy/:token/erasure',
      {
        config: link,
        bodyLimit: BODY_LIMIT,
        schema: {
          tags: ['public'],
          summary: 'Asks for erasure from the portal: opens an erasure case, already verified by the link',
          description:
            'Form-encoded `form` (the page’s hidden field, bound to the link); the post must come from this installation’s ' +
            'origin. Opens a data-subject case of type `erasure` for the link’s contact, verified (the link was mailed to the ' +
            'address and is signed), with its task and deadline, unless one is open for the address already. A bad link, a ' +
            'missing or foreign hidden field, or another origin changes nothing and gets the one 404 page.',
          security: [],
          params: TokenParams,
          body: ErasureBody,
          response: {
            200: html('Received.', '<!doctype html><html lang="en"><head><title>Your request is received</title>…'),
            404: REFUSED,
            413: ErrorBody,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(PAGES_PER_IP, req.ip);
        const done = await s.privacyPortal.requestErasure(req.params.token, req.body, facts(req));
        return done
          ? reply
              .status(200)
              .headers(PAGE_HEADERS)
              .send(erasureRequestedPage(await shellIn(pageLanguage(req, done.lang)), done.deadline))
          : refuse(req, reply);
      },
    );
  };
