import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { parseFormPosts } from '../../http/form-post.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { pageShell } from '../../http/public-page.ts';
import type { Limit, RateLimiter } from '../../http/rate-limit.ts';
import { ErrorBody, Obj, withExamples } from '../../http/schemas.ts';
import { AppError } from '../../lib/errors.ts';
import type { SettingsService } from '../settings/module.ts';
import { sameOrigin } from './forward.links.ts';
import { aboutPage, type FormState, forwardPage, PAGE_HEADERS, REFUSAL_HEADERS, refusalPage, sentPage } from './forward.pages.ts';
import type { ForwardService } from './forward.service.ts';

/** Per client address, for reading the pages: a person reads a page or two; the limit keeps a client from walking tokens. */
const PAGES_PER_IP: Limit = { scope: 'forward-page:ip', max: 120, windowMs: 60_000 };
/** An address, a note of 500 characters (UTF-8, form-encoded) and the form field fit well under this. */
const BODY_LIMIT = 16 * 1024;

const TOKEN_EXAMPLE =
  'Zm9yd2FyZA.MDE5M2EwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDBhYmNkLzAxOTNhMDAxLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMQ.n5q045c0.' +
  'szKxCyNdh4YkHLxdJURMxO9FsrxtGb5GugUz-FdReqs';
const TokenParams = withExamples(
  Obj({
    token: Type.String({
      minLength: 1,
      maxLength: 1000,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'the signed token of the link, bound to one contact and one send',
    }),
  }),
  { token: TOKEN_EXAMPLE },
);
const ForwardBody = withExamples(
  Obj({
    form: Type.String({ minLength: 1, maxLength: 1000, description: 'the hidden field of the page: proves the post came from it' }),
    email: Type.String({ maxLength: 1000, description: 'the friend’s email address' }),
    note: Type.Optional(
      Type.String({ maxLength: 4000, description: 'a short note to the friend, shown as text (at most 500 characters)' }),
    ),
  }),
  { form: 'Zm9yd2FyZC1mb3Jt.…', email: 'sam.friend@example.net', note: 'Thought of you when I saw this!' },
);

const html = (description: string, example: string) => ({
  description,
  content: { 'text/html': { schema: withExamples(Type.String(), example) } },
});
const REFUSED = html(
  'The one refusal: the link is forged, altered, expired, of another kind, a direct send’s, or its person was erased; or a post ' +
    'lacks the page’s hidden field or comes from another origin (the same page, status and headers for each).',
  '<!doctype html><html lang="en"><head><title>This link cannot be used</title>…',
);
const LIMITED = { ...ErrorBody, description: '`rate_limited`: too many requests from this client address; retry after `Retry-After`.' };

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface ForwardRouteDeps {
  forward: ForwardService;
  rateLimiter: Pick<RateLimiter, 'check'>;
  settings: Pick<SettingsService, 'get'>;
}

/** Forward to a friend's default pages, under /public/v1 (used when the installation has no page of type `forward`). */
export const forwardRoutes =
  (s: ForwardRouteDeps): FastifyPluginAsyncTypebox =>
  async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const organisation = async () => (await s.settings.get()).organisation;
    const shellOf = async (req: FastifyRequest) => pageShell(req, await organisation());
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
      '/forward/about',
      {
        config: { access: 'public', audit: false },
        schema: {
          tags: ['public'],
          summary: 'What a forwarded message is: where the personal links of a friend’s copy lead',
          description:
            'The copy a friend gets has none of the sender’s own links (unsubscribe, subscriptions, view in a browser, forward): ' +
            'each leads here, to a page saying the message was sent once on someone’s behalf, that the friend is on no list, and ' +
            'that their address is deleted within 30 days. The same page for everyone; 120 requests a minute per client address.',
          security: [],
          response: {
            200: html('The page.', '<!doctype html><html lang="en"><head><title>A message forwarded to you</title>…'),
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(PAGES_PER_IP, req.ip);
        return reply
          .status(200)
          .headers(REFUSAL_HEADERS)
          .send(aboutPage(await shellOf(req)));
      },
    );

    app.get(
      '/forward/:token',
      {
        config: link,
        schema: {
          tags: ['public'],
          summary: 'Forward to a friend: what will happen, and a form for the friend’s address and a note. Changes nothing.',
          description:
            'The `forward_url` of a campaign message: a signed link bound to the contact and the send, valid 30 days. Shows the ' +
            'message’s subject, what will happen (the friend gets this message once, from the organisation, on the person’s ' +
            'behalf; their address is kept 30 days only to send it), and a form posting to the same address. Every bad link gets ' +
            'the same 404 page. 120 requests a minute per client address.',
          security: [],
          params: TokenParams,
          response: {
            200: html('The page.', '<!doctype html><html lang="en"><head><title>Forward this message to a friend</title>…'),
            404: REFUSED,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(PAGES_PER_IP, req.ip);
        const open = await s.forward.link(req.params.token);
        const v = open && (await s.forward.view(req.params.token));
        if (!open || !v) return refuse(req, reply);
        const page = forwardPage(await shellOf(req), {
          subject: v.subject,
          formToken: await s.forward.formToken(open),
          organisation: (await organisation()).name,
        });
        return reply.status(200).headers(PAGE_HEADERS).send(page);
      },
    );

    app.post(
      '/forward/:token',
      {
        config: link,
        bodyLimit: BODY_LIMIT,
        schema: {
          tags: ['public'],
          summary: 'Sends the message once to the friend’s address, on the person’s behalf',
          description:
            'Form-encoded: `form` (the page’s hidden field, bound to the link), `email` (the friend’s address), `note` (optional, ' +
            'at most 500 characters, shown to the friend as text). The post must come from this installation’s origin (`Origin`, ' +
            'else `Referer`, against `publicBaseUrl`). An invalid address or a note too long answers 400 with the form again and ' +
            'the error next to its field. Any other valid post answers the same 200 page, whatever then happens: the forward is ' +
            'sent by a job only when the consent gate allows `marketing` for the person (and for a contact holding the friend’s ' +
            'address), and the address is not suppressed or undeliverable; once per link and friend address. No contact is made ' +
            'for the friend, whose address is deleted 30 days later. A bad link, a missing or foreign hidden field, or another ' +
            'origin changes nothing and gets the one 404 page. At most 16 KiB; 20 posts an hour per client address (429); 5 ' +
            'forwards a day per link and 3 per friend address (more are dropped silently).',
          security: [],
          params: TokenParams,
          body: ForwardBody,
          response: {
            200: html('Received (the same page for every valid post).', '<!doctype html><html lang="en"><head><title>Thank you</title>…'),
            400: html('The address or the note is not valid: the form again, the error next to its field.', '<!doctype html>…'),
            404: REFUSED,
            413: ErrorBody,
            429: LIMITED,
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(PAGES_PER_IP, req.ip);
        const open = await s.forward.link(req.params.token);
        if (!open || !sameOrigin(req.headers, await s.forward.origin()) || !(await s.forward.formTokenValid(open, req.body.form)))
          return refuse(req, reply);
        const ua = req.headers['user-agent'];
        try {
          const r = await s.forward.send(
            req.params.token,
            { friendEmail: req.body.email, ...(req.body.note === undefined ? {} : { note: req.body.note }) },
            { ip: req.ip, userAgent: typeof ua === 'string' ? ua : null },
          );
          if (r === 'refused') return refuse(req, reply);
        } catch (e) {
          if (!(e instanceof AppError) || e.code !== 'validation_failed') throw e;
          const paths = new Set((e.details as { path: string }[]).map((d) => d.path));
          const v = await s.forward.view(req.params.token);
          if (!v) return refuse(req, reply);
          const state: FormState = {
            email: req.body.email,
            note: req.body.note ?? '',
            errors: { email: paths.has('/friendEmail'), note: paths.has('/note') },
          };
          const page = forwardPage(
            await shellOf(req),
            { subject: v.subject, formToken: await s.forward.formToken(open), organisation: (await organisation()).name },
            state,
          );
          return reply.status(400).headers(PAGE_HEADERS).send(page);
        }
        return reply
          .status(200)
          .headers(PAGE_HEADERS)
          .send(sentPage(await shellOf(req)));
      },
    );
  };
