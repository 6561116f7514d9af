import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Limit, RateLimiter } from '../../http/rate-limit.ts';
import { pageShell } from '../../http/public-page.ts';
import { ErrorBody, Obj, withExamples } from '../../http/schemas.ts';
import type { SettingsService } from '../settings/module.ts';
import { isAppError } from '../../lib/errors.ts';
import type { TrackingService } from './tracking.service.ts';
import { confirmPage, donePage, invalidLinkPage, PAGE_HEADERS, VIEW_HEADERS } from './unsubscribe.pages.ts';
import type { UnsubscribeService } from './unsubscribe.service.ts';

/**
 * Per client address. Generous: one-click unsubscribes come from the mailbox providers' servers
 * (RFC 8058), and opens through their image proxies, many people's from few addresses. The limit
 * keeps a single client from walking tokens or filling the tables, not people from their mail.
 */
const LINKS_PER_IP: Limit = { scope: 'email-link:ip', max: 300, windowMs: 60_000 };
const OPENS_PER_IP: Limit = { scope: 'email-open:ip', max: 1200, windowMs: 60_000 };

/** The body RFC 8058 defines is 26 bytes; anything much bigger is not a one-click request. */
const BODY_LIMIT = 1024;

/** A transparent 1×1 GIF: the one answer of the open route, whatever the token. */
export const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const PIXEL_HEADERS = {
  'content-type': 'image/gif',
  'cache-control': 'no-store, private',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;

const TOKEN_EXAMPLE =
  'dW5zdWJzY3JpYmU.MDE5M2EwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDBhYmNk.n5q045c0.szKxCyNdh4YkHLxdJURMxO9FsrxtGb5GugUz-FdReqs';
const TokenParams = withExamples(
  Obj({
    token: Type.String({
      minLength: 1,
      maxLength: 1000,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'the signed token of the link in the message, bound to one send',
    }),
  }),
  { token: TOKEN_EXAMPLE },
);

const html = (description: string, example = '<!doctype html><html lang="en"><head><title>This link cannot be used</title>…') => ({
  description,
  content: { 'text/html': { schema: withExamples(Type.String(), example) } },
});
const REFUSED = html(
  'The one refusal: the link is forged, altered, expired, of another kind, or its mail was erased with its recipient (the same page, ' +
    'status and headers for each).',
);
const LIMITED = { ...ErrorBody, description: '`rate_limited`: too many requests from this client address; retry after `Retry-After`.' };

const pixel = (reply: FastifyReply) => reply.status(200).headers(PIXEL_HEADERS).send(PIXEL);

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface EmailPublicRouteDeps {
  unsubscribes: UnsubscribeService;
  tracking: TrackingService;
  rateLimiter: RateLimiter;
  settings: Pick<SettingsService, 'get'>;
}

/** The links in a sent message, under /public/v1/email: no login, no cookie; the token is the key. */
export const emailPublicRoutes =
  (s: EmailPublicRouteDeps): FastifyPluginAsyncTypebox =>
  async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    // Whatever a one-click client posts (RFC 8058: `List-Unsubscribe=One-Click`, form-encoded or multipart;
    // some send nothing) is read and ignored: the token in the address is the whole request.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, _body, done) => done(null, undefined));

    /** A page's language (`?lang=`, else Accept-Language) and the organisation it names. */
    const shell = async (req: FastifyRequest) => pageShell(req, (await s.settings.get()).organisation);
    /** The one answer to every bad link: the same status, body and headers whatever was wrong (in the asker's language). */
    const refuse = async (req: FastifyRequest, reply: FastifyReply) =>
      reply
        .status(404)
        .headers(PAGE_HEADERS)
        .send(invalidLinkPage(await shell(req)));

    const limited = async (req: FastifyRequest, reply: FastifyReply) => {
      await s.rateLimiter.check(LINKS_PER_IP, req.ip);
      return refuse(req, reply);
    };
    const link = { access: 'public', audit: false, link: limited } as const;
    const openLink = {
      access: 'public',
      audit: false,
      link: async (_req: FastifyRequest, reply: FastifyReply) => pixel(reply),
    } as const;

    app.get(
      '/email/unsubscribe/:token',
      {
        config: link,
        schema: {
          tags: ['public'],
          summary: 'The unsubscribe link opened in a browser: a page saying what leaving does, with its button. Changes nothing.',
          description:
            'The `unsubscribe_url` of a message (and its `List-Unsubscribe` header). Mail scanners open links before people do, so a ' +
            'GET only shows what the button will do (leave the message’s list, or lower consent below the message’s purpose); ' +
            'the button POSTs to the same address. Every bad link gets the same 404 page. 300 requests a minute per client address.',
          security: [],
          params: TokenParams,
          response: {
            200: html('The page with the button.', '<!doctype html><html lang="en"><head><title>Unsubscribe</title>…'),
            404: REFUSED,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(LINKS_PER_IP, req.ip);
        const leaving = await s.unsubscribes.preview(req.params.token);
        return leaving
          ? reply
              .status(200)
              .headers(PAGE_HEADERS)
              .send(confirmPage(await shell(req), leaving))
          : refuse(req, reply);
      },
    );

    app.post(
      '/email/unsubscribe/:token',
      {
        config: link,
        bodyLimit: BODY_LIMIT,
        schema: {
          tags: ['public'],
          summary: 'One-click unsubscribe (RFC 8058): leaves at once, without login, cookie or confirmation',
          description:
            'What a mail client POSTs for the `List-Unsubscribe-Post: List-Unsubscribe=One-Click` header, and what the page’s button ' +
            'posts. The body (`List-Unsubscribe=One-Click`, form-encoded or multipart, or none) is ignored; at most 1 KiB. ' +
            'Leaves the list the message is a newsletter of, or else lowers the contact’s consent level to just below the level ' +
            'the message’s purpose needs; the ledger records it with source `unsubscribe`, the message as the actor and the ' +
            'truncated client address. Posting again changes and records nothing more and answers the same. Every bad link gets ' +
            'the same 404 page and changes nothing. 300 requests a minute per client address.',
          security: [],
          params: TokenParams,
          response: {
            200: html(
              'Unsubscribed (also when it was done before).',
              '<!doctype html><html lang="en"><head><title>You are unsubscribed</title>…',
            ),
            404: REFUSED,
            413: ErrorBody,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(LINKS_PER_IP, req.ip);
        const ua = req.headers['user-agent'];
        const leaving = await s.unsubscribes.unsubscribe(req.params.token, { ip: req.ip, userAgent: typeof ua === 'string' ? ua : null });
        return leaving
          ? reply
              .status(200)
              .headers(PAGE_HEADERS)
              .send(donePage(await shell(req), leaving))
          : refuse(req, reply);
      },
    );

    app.get(
      '/email/view/:token',
      {
        config: link,
        schema: {
          tags: ['public'],
          summary: 'The message in a browser, as its recipient got it, without tracking',
          description:
            'The `view_in_browser_url` of a message: its HTML rendered again for the send’s contact, with no open pixel and the ' +
            'original links. Scripts never run (a sandboxing Content-Security-Policy). Every bad link gets the same 404 page. ' +
            '300 requests a minute per client address.',
          security: [],
          params: TokenParams,
          response: { 200: html('The message.', '<html><body><h1>Summer offers</h1>…</body></html>'), 404: REFUSED, 429: LIMITED },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(LINKS_PER_IP, req.ip);
        const body = await s.tracking.view(req.params.token);
        return body === null ? refuse(req, reply) : reply.status(200).headers(VIEW_HEADERS).send(body);
      },
    );

    app.get(
      '/email/open/:token',
      {
        config: openLink,
        schema: {
          tags: ['public'],
          summary: 'The open pixel: always the same 1×1 GIF',
          description:
            'In mail to recipients the consent gate allows `profiling` only. Answers the same transparent GIF for any token, good ' +
            'or bad. A good one records an `email_opened` interaction through the ingest (linked to the contact only where the ' +
            'gate allows profiling now; with `Sec-GPC: 1` or `DNT: 1` only counted, never per contact) and the campaign’s first ' +
            'open of that send. Past 1,200 requests a minute from one client address nothing is recorded.',
          security: [],
          params: TokenParams,
          response: {
            200: {
              description: 'A transparent 1×1 GIF.',
              content: { 'image/gif': { schema: withExamples(Type.String({ format: 'binary' }), 'GIF89a…') } },
            },
          },
        },
      },
      async (req, reply) => {
        const { count } = await s.rateLimiter.hit(OPENS_PER_IP, req.ip);
        // A HEAD (a link checker's) is answered alike and records nothing: no mail client loads an image so.
        if (count <= OPENS_PER_IP.max && req.method === 'GET') {
          const doNotTrack = req.headers['sec-gpc'] === '1' || req.headers.dnt === '1';
          try {
            await s.tracking.open(req.params.token, { doNotTrack });
          } catch (e) {
            // The pixel is answered whatever happens; the failure is logged by code, never with the token.
            req.log.warn({ code: isAppError(e) ? e.code : 'internal' }, 'email open not recorded');
          }
        }
        return pixel(reply);
      },
    );

    app.get(
      '/email/click/:token',
      {
        config: link,
        schema: {
          tags: ['public'],
          summary: 'A tracked link: redirects to the URL of the message the token names, or 404',
          description:
            'In mail to recipients the consent gate allows `profiling` only. The token binds the send, the link’s place in the ' +
            'message and a hash of its URL; the URL is taken from the message itself, so the redirect (302) only ever leads to ' +
            'a URL the message holds. Anything else (a changed signature, a URL not in the message, an expired link, a send ' +
            'erased with its recipient) gets the same 404 page and no redirect. A click is an explicit action: it is recorded ' +
            'as an `email_clicked` interaction whatever the browser’s tracking signals (linked to the contact only where the ' +
            'gate allows profiling) and as the campaign’s first click of that send. 300 requests a minute per client address.',
          security: [],
          params: TokenParams,
          response: {
            302: { description: 'To the link’s URL, in `Location`.', headers: { location: { type: 'string' } } },
            404: REFUSED,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(LINKS_PER_IP, req.ip);
        const click = await s.tracking.click(req.params.token);
        if (!click) return refuse(req, reply);
        try {
          // A HEAD is a link checker asking where the link leads, not a person following it.
          if (req.method === 'GET') await click.record();
        } catch (e) {
          // The person still gets where the link leads.
          req.log.warn({ code: isAppError(e) ? e.code : 'internal' }, 'email click not recorded');
        }
        return reply
          .status(302)
          .header('location', click.url)
          .header('cache-control', 'no-store')
          .header('referrer-policy', 'no-referrer')
          .send();
      },
    );
  };
