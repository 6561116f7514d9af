import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, Obj, withExamples } from '../../http/schemas.ts';
import type { LeadFieldsService } from './lead-fields.service.ts';
import { LEAD, LEAD_FIELD } from './leads.examples.ts';
import { LeadCreateSchema, LeadFieldCreateSchema, LeadFieldSchema, LeadListQuery, LeadPatchSchema, LeadSchema } from './leads.schemas.ts';
import type { LeadsService } from './leads.service.ts';

const read = { area: 'leads', op: 'read' } as const;
const write = { area: 'leads', op: 'write' } as const;

/** What these routes use: the module's face, nothing else. */
export interface LeadsRouteDeps {
  leads: LeadsService;
  leadFields: LeadFieldsService;
}

export const leadsRoutes =
  (s: LeadsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/leads',
      {
        config: { access: write, audit: { action: 'lead.create', target: 'lead' } },
        schema: {
          tags: ['leads'],
          summary: 'Create a lead: a sales opportunity about one contact',
          description:
            '`status` is open (the default), qualified, won or lost; `ownerId` a staff user or null; `value` a number or null; ' +
            '`fields` values of custom lead fields (POST /lead-fields) by name, each of its type. The title is trimmed and holds ' +
            '1 to 200 characters. An unknown contact, owner or field, or a value of the wrong type, is 400 `validation_failed` ' +
            'naming its path (`/contactId`, `/ownerId`, `/fields/<name>`).',
          body: withExamples(LeadCreateSchema, {
            contactId: LEAD.contactId,
            title: LEAD.title,
            ownerId: LEAD.ownerId,
            value: LEAD.value,
            fields: LEAD.fields,
          }),
          response: { 201: withExamples(Data(LeadSchema), { data: LEAD }), ...commonErrors },
        },
      },
      async (req, reply) => {
        const lead = await s.leads.create(req.body);
        req.auditTargetId = lead.id;
        return reply.status(201).send({ data: lead });
      },
    );

    app.get(
      '/leads',
      {
        config: { access: read, audit: { action: 'lead.list', target: 'lead' } },
        schema: {
          tags: ['leads'],
          summary: 'Leads in id order, filtered by contact, status, owner or words in the title',
          description:
            'Each lead with its contact’s address and name. `q` finds the text in the title without regard to case or Latin ' +
            'accents; the filters combine.',
          querystring: withExamples(Obj({ ...PageQuery, ...LeadListQuery }), { status: 'open', q: 'renewal', limit: 50 }),
          response: {
            200: withExamples(List(LeadSchema), { data: [LEAD], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const { contactId, status, ownerId, q } = req.query;
        const filter = { contactId, status, ownerId, q };
        return listPage(
          req.query,
          (n, after) => s.leads.list(filter, n, after),
          () => s.leads.count(filter),
        );
      },
    );

    app.get(
      '/leads/:id',
      {
        config: { access: read, audit: { action: 'lead.view', target: 'lead' } },
        schema: {
          tags: ['leads'],
          summary: 'One lead',
          description: 'The lead with its custom fields and its contact; 404 `lead_not_found` when there is none.',
          params: IdParams,
          response: { 200: withExamples(Data(LeadSchema), { data: LEAD }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.leads.get(req.params.id) }),
    );

    app.patch(
      '/leads/:id',
      {
        config: { access: write, audit: { action: 'lead.update', target: 'lead' } },
        schema: {
          tags: ['leads'],
          summary: 'Change a lead’s title, status, owner, value or custom fields',
          description:
            'Send only what changes (at least one); `null` clears the owner, the value or a field. The contact stays. Checked as ' +
            'on creation; answers the lead as it is now.',
          params: IdParams,
          body: withExamples(LeadPatchSchema, { status: 'qualified', fields: { stage_code: 'S2' } }),
          response: {
            200: withExamples(Data(LeadSchema), {
              data: { ...LEAD, status: 'qualified', fields: { ...LEAD.fields, stage_code: 'S2' }, updatedAt: '2026-11-22T10:00:00.000Z' },
            }),
            ...commonErrors,
          },
        },
      },
      async (req) => ({ data: await s.leads.update(req.params.id, req.body) }),
    );

    app.delete(
      '/leads/:id',
      {
        config: { access: write, audit: { action: 'lead.delete', target: 'lead' } },
        schema: {
          tags: ['leads'],
          summary: 'Delete a lead',
          description: 'Deletes the lead for good (its contact stays); 404 `lead_not_found` when there is none.',
          params: IdParams,
          response: { 204: Type.Null({ description: 'Deleted.' }), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.leads.remove(req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/lead-fields',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['leads'],
          summary: 'Custom lead fields',
          description: 'Every custom lead field, with its type, whether it is personal data, and the column of leads that holds it.',
          response: { 200: withExamples(Data(Type.Array(LeadFieldSchema)), { data: [LEAD_FIELD] }), ...commonErrors },
        },
      },
      async () => ({ data: await s.leadFields.list() }),
    );

    app.post(
      '/lead-fields',
      {
        config: { access: write, audit: { action: 'lead_field.create', target: 'lead_field' } },
        schema: {
          tags: ['leads'],
          summary: 'Define a custom lead field: a typed column of leads, declared in the data map',
          description:
            'Adds a typed column `cf_<name>` to leads and declares it in the data map (category `lead.field.<name>`). `name` is ' +
            'lower case letters, digits and _ (up to 40, starting with a letter), `type` one of text, number, boolean, date. A name ' +
            'in use gives 409 `field_exists` (or `name_taken` when leads already has such a column).',
          body: withExamples(LeadFieldCreateSchema, { name: 'stage_code', label: 'Stage code', type: 'text', personal: false }),
          response: { 201: withExamples(Data(LeadFieldSchema), { data: LEAD_FIELD }), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        const f = await s.leadFields.define(req.body);
        req.auditTargetId = f.id;
        return reply.status(201).send({ data: f });
      },
    );

    app.delete(
      '/lead-fields/:id',
      {
        config: { access: write, audit: { action: 'lead_field.delete', target: 'lead_field' } },
        schema: {
          tags: ['leads'],
          summary: 'Remove a custom lead field with its column and every value in it',
          description:
            'Drops the column from leads and its declaration from the data map; the values are gone for good. Segments or scoring ' +
            'rules naming the field stop validating. 404 `not_found` when there is no such field.',
          params: IdParams,
          response: { 204: Type.Null({ description: 'Removed.' }), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.leadFields.remove(req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
