import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { pageShell, publicPage, SAME_ORIGIN_PAGE_HEADERS } from '../../http/public-page.ts';
import type { Limit, RateLimiter } from '../../http/rate-limit.ts';
import { commonErrors, Data, Id, IdParams, Obj, withExamples } from '../../http/schemas.ts';
import { catalogue } from '../../i18n/catalogue.ts';
import { escapeHtml as e } from '../../lib/html.ts';
import type { ListsService } from '../lists/module.ts';
import type { SettingsService } from '../settings/module.ts';
import type { FormCounters } from './forms.counters.ts';
import { choiceNames, embedSnippet, FORM_CSS, formFieldsHtml, frameHeaders, iframeSnippet } from './forms.embed.ts';
import { FORM_ID } from './forms.examples.ts';
import type { FormsService } from './forms.service.ts';

/** Per client address, for the frame page: a page view each, far above what a person does. */
const FRAME_PER_IP: Limit = { scope: 'form-frame:ip', max: 120, windowMs: 60_000 };

export interface FormsEmbedRouteDeps {
  forms: FormsService;
  formCounters: FormCounters;
  lists: Pick<ListsService, 'get'>;
  settings: Pick<SettingsService, 'get'>;
  rateLimiter: Pick<RateLimiter, 'check'>;
}

const base = async (s: FormsEmbedRouteDeps) => (await s.settings.get()).publicBaseUrl.replace(/\/+$/, '');
export const submitUrl = (root: string, formId: string) => `${root}/public/v1/forms/${formId}`;
export const frameUrl = (root: string, formId: string) => `${root}/public/v1/forms/${formId}/frame`;

const CountsShape = Obj({ views: Type.Integer(), submissions: Type.Integer() });
/** The counts routes' answer (the pages module answers the same shape). */
export const CountsSchema = Data(
  Obj({
    total: CountsShape,
    days: Type.Array(Obj({ day: Type.String({ format: 'date' }), views: Type.Integer(), submissions: Type.Integer() }), {
      description: 'the last 30 days, today (UTC) first; 0 on a day without any',
    }),
  }),
);
export const COUNTS_EXAMPLE = {
  data: {
    total: { views: 412, submissions: 37 },
    days: [
      { day: '2026-03-10', views: 21, submissions: 3 },
      { day: '2026-03-09', views: 0, submissions: 0 },
    ],
  },
};
const EmbedSchema = Data(
  Obj({
    html: Type.String({ description: 'a plain HTML form (labels, inputs, the honeypot, no script) posting to Assent' }),
    iframe: Type.String({ description: 'an iframe of the frame page' }),
    frameUrl: Type.String({ description: 'the frame page: only the form, framable by the form’s allowedOrigins' }),
  }),
);
const LangQuery = Obj({
  lang: Type.Optional(Type.String({ minLength: 2, maxLength: 35, description: 'the language of the snippet’s words (default: English)' })),
});

const read = { area: 'forms', op: 'read' } as const;

/** The embed snippet and the anonymous counts of a form, under /api/v1. */
export const formsEmbedRoutes =
  (s: FormsEmbedRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/forms/:id/embed',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['forms'],
          summary: 'The form as a snippet for another site',
          description:
            'For a form not archived: `html`, a plain HTML form (a label on every input, the honeypot, no script) that posts ' +
            'form-encoded to `{publicBaseUrl}/public/v1/forms/{id}` (only from the form’s `allowedOrigins`: add the site’s origin ' +
            'there); `frameUrl`, a page showing only the form, which only those origins may frame; `iframe`, an iframe of it. ' +
            'Every label and notice is escaped. `lang` chooses the words the snippet adds (the button, “required”).',
          params: IdParams,
          querystring: LangQuery,
          response: {
            200: withExamples(EmbedSchema, {
              data: {
                html:
                  `<form method="post" action="https://assent.example.org/public/v1/forms/${FORM_ID}" accept-charset="utf-8" ` +
                  `novalidate>…`,
                iframe: `<iframe src="https://assent.example.org/public/v1/forms/${FORM_ID}/frame" title="Newsletter sign-up" …></iframe>`,
                frameUrl: `https://assent.example.org/public/v1/forms/${FORM_ID}/frame`,
              },
            }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const form = await s.forms.live(req.params.id);
        const root = await base(s);
        const lang = catalogue.negotiate({ page: req.query.lang ?? null, fallback: 'en' });
        const state = { lang, ...(await choiceNames(form, s)), idPrefix: `assent-${form.id.slice(-8)}` };
        return {
          data: {
            html: embedSnippet(form, state, submitUrl(root, form.id)),
            iframe: iframeSnippet(form, frameUrl(root, form.id)),
            frameUrl: frameUrl(root, form.id),
          },
        };
      },
    );

    app.get(
      '/forms/:id/counts',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['forms'],
          summary: 'Anonymous counts of a form',
          description:
            'Views (of pages served by Assent showing the form, and of its frame page) and accepted submissions however posted, ' +
            'in total and per day for the last 30 days (UTC, today first). Counted without any person’s data. 404 for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(CountsSchema, COUNTS_EXAMPLE), ...commonErrors },
        },
      },
      async (req) => {
        await s.forms.get(req.params.id);
        return { data: await s.formCounters.of({ kind: 'form', id: req.params.id }) };
      },
    );
  };

const framePage = async (s: FormsEmbedRouteDeps, req: FastifyRequest, formId: string) => {
  const form = await s.forms.live(formId);
  const shell = pageShell(req, (await s.settings.get()).organisation);
  const state = { lang: shell.lang, ...(await choiceNames(form, s)) };
  const body =
    `<style>${FORM_CSS}</style>\n<form method="post" action="${e(`/public/v1/forms/${form.id}`)}" accept-charset="utf-8" novalidate>\n` +
    `${formFieldsHtml(form, state)}\n<button type="submit">${e(catalogue.t(shell.lang, 'embed.submit'))}</button>\n</form>`;
  return { form, html: publicPage(shell, form.name, body, { referrer: 'same-origin' }) };
};

/** The frame page, under /public/v1: no login. */
export const formsEmbedPublicRoutes =
  (s: FormsEmbedRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/forms/:formId/frame',
      {
        config: { access: 'public', audit: false },
        schema: {
          tags: ['public'],
          summary: 'A form alone, for an iframe on another site',
          description:
            'The form of a form not archived as a plain page (no script) that posts to `/public/v1/forms/{formId}`. Only the ' +
            'form’s `allowedOrigins` may frame it (`Content-Security-Policy: frame-ancestors`; none when it has none). Counted as ' +
            'a view of the form. 404 for an unknown or archived form. 120 requests a minute per client address.',
          security: [],
          params: Obj({ formId: Id }),
          response: {
            200: {
              description: 'The page.',
              content: { 'text/html': { schema: withExamples(Type.String(), '<!doctype html><html lang="en"><head><title>Newsletter…') } },
            },
            404: commonErrors[404],
            429: commonErrors[404],
          },
        },
      },
      async (req, reply) => {
        await s.rateLimiter.check(FRAME_PER_IP, req.ip);
        const { form, html } = await framePage(s, req, req.params.formId);
        await s.formCounters.count([{ kind: 'form', id: form.id }], 'views');
        return reply.status(200).headers(frameHeaders(form.allowedOrigins, SAME_ORIGIN_PAGE_HEADERS)).send(html);
      },
    );
  };
