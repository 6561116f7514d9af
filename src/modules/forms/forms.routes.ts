import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listPage } from '../../http/pagination.ts';
import { commonErrors, Data, IdParams, List, withExamples } from '../../http/schemas.ts';
import { FORM, FORM_CREATE } from './forms.examples.ts';
import { FORM_RULES, FormCreateSchema, FormListQuery, FormPatchSchema, FormSchema } from './forms.schemas.ts';
import type { FormsService } from './forms.service.ts';

/** What these routes use: the module's face, nothing else. */
export interface FormsRouteDeps {
  forms: FormsService;
}

// A hundred fields with notices of up to 20,000 characters each stay far below this.
const BODY_LIMIT = 1024 * 1024;
const PATCH_RULE = 'Changes what is given; the form as it would then be is checked whole, and nothing is stored when it fails.';
const read = { area: 'forms', op: 'read' } as const;
const write = { area: 'forms', op: 'write' } as const;

export const formsRoutes =
  (s: FormsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/forms',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'form.create', target: 'form' } },
        schema: {
          tags: ['forms'],
          summary: 'Create a form',
          description: `A form, checked whole before it is stored (version 1). ${FORM_RULES}`,
          body: withExamples(FormCreateSchema, FORM_CREATE),
          response: { 201: withExamples(Data(FormSchema), { data: FORM }), ...commonErrors },
        },
      },
      async (req, reply) => {
        const f = await s.forms.create(req.body);
        req.auditTargetId = f.id;
        return reply.status(201).send({ data: f });
      },
    );

    app.get(
      '/forms',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['forms'],
          summary: 'Forms',
          description: 'Every form not archived, with its current version’s fields, in the order they were made.',
          querystring: FormListQuery,
          response: {
            200: withExamples(List(FormSchema), { data: [FORM], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) =>
        listPage(
          req.query,
          (n, after) => s.forms.list(n, after),
          () => s.forms.total(),
        ),
    );

    app.get(
      '/forms/:id',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['forms'],
          summary: 'One form',
          description:
            'The form with its current version’s fields (archived ones too, with `archivedAt`); 404 `not_found` for an unknown id.',
          params: IdParams,
          response: { 200: withExamples(Data(FormSchema), { data: FORM }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.forms.get(req.params.id) }),
    );

    app.patch(
      '/forms/:id',
      {
        bodyLimit: BODY_LIMIT,
        config: { access: write, audit: { action: 'form.update', target: 'form' } },
        schema: {
          tags: ['forms'],
          summary: 'Change a form',
          description: `${PATCH_RULE} ${FORM_RULES}`,
          params: IdParams,
          body: withExamples(FormPatchSchema, { name: 'Spring newsletter sign-up' }, { doubleOptIn: false }),
          response: { 200: withExamples(Data(FormSchema), { data: { ...FORM, name: 'Spring newsletter sign-up' } }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.forms.update(req.params.id, req.body) }),
    );

    app.delete(
      '/forms/:id',
      {
        config: { access: write, audit: { action: 'form.delete', target: 'form' } },
        schema: {
          tags: ['forms'],
          summary: 'Delete a form (archive one with submissions)',
          description:
            'A form nobody submitted is deleted with its versions. One with submissions is archived: they keep naming it and its ' +
            'version, it leaves the listing and accepts no more submissions. 404 `not_found` for an unknown or archived id.',
          params: IdParams,
          response: { 204: Type.Null(), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.forms.delete(req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
