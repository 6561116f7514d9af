import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, withExamples } from '../../http/schemas.ts';
import { AppError } from '../../lib/errors.ts';
import { COUNTS_EXAMPLE, CountsSchema } from '../forms/module.ts';
import { PAGE, PAGE_CREATE } from './pages.examples.ts';
import { PAGE_RULES, PageInputSchema, PageListQuery, PagePatchSchema, PageSchema, PreviewSchema } from './pages.schemas.ts';
import type { PageServer } from './pages.server.ts';
import type { PagesService } from './pages.service.ts';

/** What these routes use: the module's face, nothing else. */
export interface PagesRouteDeps {
  pages: PagesService;
  pageServer: PageServer;
}

// An intro of 20,000 characters, each escaped as JSON at worst, stays below this.
const BODY_LIMIT = 256 * 1024;
const read = { area: 'forms', op: 'read' } as const;
const write = { area: 'forms', op: 'write' } as const;
const errors = { ...commonErrors, 409: ErrorBody };

/**
 * The body's schema is checked as every route's, but a page's problems are answered as the
 * service's own checks answer them: `page_invalid`, each with the field's path.
 */
function checked(req: FastifyRequest): void {
  const v = req.validationError as
    | (Error & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[] })
    | undefined;
  if (!v) return;
  const details = (v.validation ?? []).map((i) => {
    const named = i.params?.additionalProperty ?? i.params?.missingProperty;
    return { path: `${i.instancePath ?? ''}${named === undefined ? '' : `/${String(named)}`}` || '/', message: i.message ?? 'invalid' };
  });
  throw new AppError('page_invalid', 'the page is not valid', details);
}

export const pagesRoutes =
  (s: PagesRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/pages',
      {
        bodyLimit: BODY_LIMIT,
        attachValidation: true,
        config: { access: write, audit: { action: 'page.create', target: 'page' } },
        schema: {
          tags: ['pages'],
          summary: 'Create a page',
          description: `A page served at \`/p/{slug}\`, checked whole before it is stored. ${PAGE_RULES}`,
          body: withExamples(PageInputSchema, PAGE_CREATE),
          response: { 201: withExamples(Data(PageSchema), { data: PAGE }), ...errors },
        },
      },
      async (req, reply) => {
        checked(req);
        const p = await s.pages.create(req.body);
        req.auditTargetId = p.id;
        return reply.status(201).send({ data: p });
      },
    );

    app.get(
      '/pages',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['pages'],
          summary: 'Pages',
          description: 'Every page, in the order they were made, with its address, rendered intro and anonymous counts.',
          querystring: PageListQuery,
          response: {
            200: withExamples(List(PageSchema), { data: [PAGE], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) =>
        listPage(
          req.query,
          (n, after) => s.pages.list(n, after),
          () => s.pages.total(),
        ),
    );

    app.post(
      '/pages/preview',
      {
        bodyLimit: BODY_LIMIT,
        attachValidation: true,
        // Changes nothing: whoever may read pages may see one drawn (a viewer opening the editor sees its preview).
        config: { access: read, audit: false },
        schema: {
          tags: ['pages'],
          summary: 'Preview a page without saving it',
          description:
            'The whole page as `/p/{slug}` would serve it (for the editor’s live preview: show it in a sandboxed iframe via ' +
            '`srcdoc`). Checked as a save is, but the slug may be taken. A page opened by a person’s link (`subscription_center`, ' +
            '`forward`) shows a placeholder where the person’s own part would be. Nothing is stored or counted.',
          body: withExamples(PageInputSchema, PAGE_CREATE),
          response: {
            200: withExamples(PreviewSchema, { data: { html: '<!doctype html>\n<html lang="en">…<h1>Spring bread news</h1>…' } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        checked(req);
        return { data: { html: await s.pageServer.preview(req.body) } };
      },
    );

    app.get(
      '/pages/:id',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['pages'],
          summary: 'One page',
          description: '404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(PageSchema), { data: PAGE }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.pages.get(req.params.id) }),
    );

    app.patch(
      '/pages/:id',
      {
        bodyLimit: BODY_LIMIT,
        attachValidation: true,
        config: { access: write, audit: { action: 'page.update', target: 'page' } },
        schema: {
          tags: ['pages'],
          summary: 'Change a page',
          description:
            `Changes what is given; the page as it would then be is checked ` + `whole, and nothing is stored when it fails. ${PAGE_RULES}`,
          params: IdParams,
          body: withExamples(PagePatchSchema, { title: 'Summer bread news' }, { published: false }),
          response: { 200: withExamples(Data(PageSchema), { data: { ...PAGE, title: 'Summer bread news' } }), ...errors },
        },
      },
      async (req) => {
        checked(req);
        return { data: await s.pages.update(req.params.id, req.body) };
      },
    );

    app.delete(
      '/pages/:id',
      {
        config: { access: write, audit: { action: 'page.delete', target: 'page' } },
        schema: {
          tags: ['pages'],
          summary: 'Delete a page',
          description: 'The page and its counters go; its address answers the generic 404. 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 204: Type.Null(), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.pages.delete(req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/pages/:id/counts',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['pages'],
          summary: 'Anonymous counts of a page',
          description:
            'Views (GETs of the published page) and accepted submissions, in total and per day for the last 30 days (UTC, today ' +
            'first). Counted without any person’s data. 404 for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(CountsSchema, COUNTS_EXAMPLE), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.pages.counts(req.params.id) }),
    );
  };
