import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { commonErrors, ErrorBody, IdParams, Obj, withExamples } from '../../../http/schemas.ts';
import { type AppError, isAppError } from '../../../lib/errors.ts';
import type { RateLimiter } from '../../../http/rate-limit.ts';
import type { AccessExportService } from './access-export.service.ts';
import { escapeHtml } from '../../../lib/html.ts';
import { EXPORT_CSP } from './access-export.html.ts';
import { w } from './access-export.text.ts';
import { pageLanguage } from '../../../http/public-page.ts';
import { AccessExportSchema } from './access-export.schemas.ts';

/** Tokens cannot be guessed; the limit only keeps probes from filling the audit log. */
const DOWNLOADS_PER_IP = { scope: 'export-download:ip', max: 30, windowMs: 60_000 };

/** The one refusal page, in the request's language (`?lang=`, else Accept-Language): the same for every bad link. */
const refusedPage = (lang: string) =>
  `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" ` +
  `content="width=device-width,initial-scale=1"><title>${escapeHtml(w(lang, 'refused.title'))}</title></head><body><main><h1>` +
  `${escapeHtml(w(lang, 'refused.title'))}</h1><p>${escapeHtml(w(lang, 'refused.text'))}</p></main></body></html>`;

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface AccessExportRouteDeps {
  accessExports: AccessExportService;
  rateLimiter: RateLimiter;
}

/** Staff: a contact's export, as the JSON document itself (what a download would hold). */
export const accessExportRoutes =
  (s: AccessExportRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/contacts/:id/export',
      {
        config: { access: { area: 'exports', op: 'read' }, audit: { action: 'contact.export', target: 'contact' } },
        schema: {
          tags: ['exports'],
          summary: 'Everything held about the contact, driven by the data map (the access-export document, not wrapped in `data`)',
          description:
            'The access and portability document for one contact (format in docs/export-format.md): every row the data map ' +
            'links to them, their consent history with the notices they saw, their lists and the segments they are in. For a ' +
            'data-subject request use `POST /api/v1/requests/{id}/fulfil`, which sends the person a download link; this is ' +
            'the same document for staff.',
          params: IdParams,
          response: { 200: AccessExportSchema, ...commonErrors },
        },
      },
      // The document is built from the data map, so its shape is checked by its own tests; the
      // schema-driven serialiser would walk every value for nothing (an export can be megabytes).
      async (req, reply) => reply.serializer((doc) => JSON.stringify(doc)).send(await s.accessExports.build(req.params.id)),
    );
  };

/** The person: the download behind the signed link in their email. No login; the link is the key. */
export const accessExportPublicRoutes =
  (s: AccessExportRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const noStore = (reply: FastifyReply) =>
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff');
    /** The one refusal: the page for a reader, `link_invalid` for the file. */
    const refusal = (req: FastifyRequest, reply: FastifyReply, format: 'html' | 'json', e: AppError) =>
      format === 'html'
        ? noStore(reply)
            .status(404)
            .header('content-security-policy', EXPORT_CSP)
            .type('text/html; charset=utf-8')
            .send(refusedPage(pageLanguage(req)))
        : noStore(reply).send(e);

    /**
     * A link that is malformed (a parameter repeated, unknown or unreadable, text no database
     * holds, a path the router cannot read) is refused like a forged one, counted and audited
     * alike: the service sees it as a link without a token. The file format is kept only when
     * asked for plainly; anything else gets the page.
     */
    const malformed = async (req: FastifyRequest, reply: FastifyReply) => {
      const query = (req.query ?? {}) as Record<string, unknown>;
      const format = query.format === 'json' ? 'json' : 'html';
      const id = (req.params as { id?: unknown } | null)?.id;
      await s.rateLimiter.check(DOWNLOADS_PER_IP, req.ip);
      try {
        // Without a token the service refuses, and audits the refusal, as it does a forged link.
        await s.accessExports.download(typeof id === 'string' ? id : '', undefined, format, String(req.id));
      } catch (e) {
        if (isAppError(e) && e.code === 'link_invalid') return refusal(req, reply, format, e);
        throw e;
      }
      throw new Error('a link without a token was not refused');
    };

    app.get(
      '/exports/:id',
      {
        config: { access: 'public', audit: false, link: malformed },
        schema: {
          tags: ['public'],
          summary:
            'Download an access export through its expiring signed link: HTML to read, or JSON to keep. Any refusal is 404 ' +
            '`link_invalid`, a malformed link included.',
          description:
            'The link in the email a person gets when their access request is fulfilled. Opened in a browser it shows the ' +
            'data as a page (`format=html`, the default); `format=json` downloads the same document as a file. The link ' +
            'expires, and a forged, altered, expired or removed link, or a malformed one, is refused alike with 404 ' +
            '`link_invalid` (an HTML page, or JSON for `format=json`), so a probe learns nothing. Thirty downloads per ' +
            'client address a minute.',
          params: withExamples(Obj({ id: Type.String({ maxLength: 100 }) }), { id: '01938c40-2d3e-7f4a-8b5c-6d7e8f9a0b1c' }),
          querystring: withExamples(
            Obj({
              token: Type.Optional(Type.String({ maxLength: 1000, description: 'the one-time signed token of the emailed link' })),
              format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('json')])),
              lang: Type.Optional(
                Type.String({ minLength: 1, maxLength: 35, description: 'the page’s language (else the person’s, else the browser’s)' }),
              ),
            }),
            { token: 'ZXhwb3J0.MDE5MzhjNDA.mq2x8k0.Q2hlY2tzdW1fb2ZfdGhlX2xpbmtfaW5fdGhlX2VtYWlsX18', format: 'json' },
          ),
          response: {
            200: {
              description: 'The export: an HTML page, or the JSON document as an attachment.',
              content: {
                'text/html': { schema: withExamples(Type.String(), '<!doctype html><html lang="en"><head><title>Your data</title>…') },
                'application/json': { schema: AccessExportSchema },
              },
            },
            404: {
              ...ErrorBody,
              description: '`link_invalid`: the link is forged, altered, expired, removed or malformed (the same answer for each).',
            },
          },
        },
      },
      async (req, reply) => {
        const format = req.query.format ?? 'html';
        await s.rateLimiter.check(DOWNLOADS_PER_IP, req.ip);
        let body: string;
        try {
          body = await s.accessExports.download(req.params.id, req.query.token, format, String(req.id), (c) => pageLanguage(req, c));
        } catch (e) {
          if (isAppError(e) && e.code === 'link_invalid') return refusal(req, reply, format, e);
          throw e;
        }
        noStore(reply);
        if (format === 'json') {
          return reply
            .type('application/json; charset=utf-8')
            .header('content-disposition', `attachment; filename="personal-data-${req.params.id}.json"`)
            .send(body);
        }
        return reply.header('content-security-policy', EXPORT_CSP).type('text/html; charset=utf-8').send(body);
      },
    );
  };
