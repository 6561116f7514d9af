import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, List, Obj, Id, withExamples } from '../../http/schemas.ts';
import type { EntitiesService } from './entities.service.ts';
import {
  EntityCreateSchema,
  EntityParams,
  EntitySchema,
  RecordCreateSchema,
  RecordParams,
  RecordPatchSchema,
  RecordSchema,
} from './entities.schemas.ts';

const ENTITY = {
  id: '01938d01-4a5b-7c6d-8e7f-9a0b1c2d3e4f',
  name: 'orders',
  label: 'Orders',
  table: 'entity_orders',
  linked: true,
  erase: 'anonymise',
  retention: 'P10Y',
  fields: [
    { name: 'order_number', type: 'text', personal: false, column: 'f_order_number' },
    { name: 'total', type: 'number', personal: false, column: 'f_total' },
    { name: 'delivery_address', type: 'text', personal: true, column: 'f_delivery_address' },
  ],
  createdAt: '2026-06-01T09:00:00.000Z',
};
const RECORD = {
  id: '01938d10-5b6c-7d8e-9f0a-1b2c3d4e5f6a',
  contactId: '01938af1-0c9d-7e2f-8a1b-2c3d4e5f6a7b',
  fields: { order_number: 'A-10442', total: 89.5, delivery_address: 'Lindenstraße 4, 10969 Berlin' },
  createdAt: '2026-11-20T15:12:00.000Z',
  updatedAt: '2026-11-20T15:12:00.000Z',
};
const PAGE = { next: null, total: 1, totalIsEstimate: false };

const read = { area: 'entities', op: 'read' } as const;
const write = { area: 'entities', op: 'write' } as const;

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface EntitiesRouteDeps {
  entities: EntitiesService;
}

export const entitiesRoutes =
  (s: EntitiesRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/entities',
      {
        config: { access: write, audit: { action: 'entity.create', target: 'entity' } },
        schema: {
          tags: ['entities'],
          summary: 'Define a custom entity: a table of typed fields, declared in the data map',
          description:
            'Creates the table `entity_<name>` with a column per field, and declares it in the data map at once, so its ' +
            'records are exported, erased (deleted or anonymised, as `erase` says) and kept only for `retention` like every ' +
            'other table. A name already used is 409 `entity_exists`, one the database uses for something else 409 `name_taken`.',
          body: withExamples(EntityCreateSchema, {
            name: 'orders',
            label: 'Orders',
            linked: true,
            erase: 'anonymise',
            retention: 'P10Y',
            fields: [
              { name: 'order_number', type: 'text', personal: false },
              { name: 'total', type: 'number', personal: false },
              { name: 'delivery_address', type: 'text', personal: true },
            ],
          }),
          response: { 201: withExamples(Data(EntitySchema), { data: ENTITY }), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        const e = await s.entities.define(req.body);
        req.auditTargetId = e.id;
        return reply.status(201).send({ data: e });
      },
    );

    app.get(
      '/entities',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['entities'],
          summary: 'Custom entities with their fields',
          description:
            'Every custom entity, with its fields, their types and the columns that hold them. Not paged: there are at most 100.',
          response: { 200: withExamples(Data(Type.Array(EntitySchema)), { data: [ENTITY] }), ...commonErrors },
        },
      },
      async () => ({ data: await s.entities.list() }),
    );

    app.get(
      '/entities/:name',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['entities'],
          summary: 'One custom entity',
          description: 'The entity by its name; 404 `not_found` when there is none.',
          params: EntityParams,
          response: { 200: withExamples(Data(EntitySchema), { data: ENTITY }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.entities.get(req.params.name) }),
    );

    app.post(
      '/entities/:name/records',
      {
        config: { access: write, audit: { action: 'entity_record.create', target: 'entity_record' } },
        schema: {
          tags: ['entities'],
          summary: 'Create a record; field values are checked against their types',
          description:
            'A record of the entity, linked to a contact by `contactId` when the entity is linked. `fields` holds values by ' +
            'field name, each of its field’s type (text up to 2,000 characters, number, boolean, or date); ' +
            'an unknown field or a value of the wrong type is 400 `validation_failed` naming it.',
          params: EntityParams,
          body: withExamples(RecordCreateSchema, { contactId: RECORD.contactId, fields: RECORD.fields }),
          response: { 201: withExamples(Data(RecordSchema), { data: RECORD }), ...commonErrors },
        },
      },
      async (req, reply) => {
        const r = await s.entities.createRecord(req.params.name, req.body);
        req.auditTargetId = r.id;
        return reply.status(201).send({ data: r });
      },
    );

    app.get(
      '/entities/:name/records',
      {
        config: { access: read, audit: { action: 'entity_record.list', target: 'entity_record' } },
        schema: {
          tags: ['entities'],
          summary: 'Records in id order; `contact` keeps those of one contact',
          params: EntityParams,
          description: 'The entity’s records, oldest first; `contact` keeps those linked to one contact.',
          querystring: withExamples(Obj({ ...PageQuery, contact: Type.Optional(Id) }), { contact: RECORD.contactId, limit: 100 }),
          response: { 200: withExamples(List(RecordSchema), { data: [RECORD], page: PAGE }), ...commonErrors },
        },
      },
      async (req) => {
        const { contact } = req.query;
        const filter = contact ? { contactId: contact } : {};
        return listPage(
          req.query,
          (n, after) => s.entities.listRecords(req.params.name, filter, n, after),
          () => s.entities.countRecords(req.params.name, filter),
        );
      },
    );

    app.get(
      '/entities/:name/records/:id',
      {
        config: { access: read, audit: { action: 'entity_record.view', target: 'entity_record' } },
        schema: {
          tags: ['entities'],
          summary: 'One record',
          description: 'The record by its id; 404 `not_found` when the entity or the record does not exist.',
          params: RecordParams,
          response: { 200: withExamples(Data(RecordSchema), { data: RECORD }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.entities.getRecord(req.params.name, req.params.id) }),
    );

    app.patch(
      '/entities/:name/records/:id',
      {
        config: { access: write, audit: { action: 'entity_record.update', target: 'entity_record' } },
        schema: {
          tags: ['entities'],
          summary: 'Change field values or the contact link',
          description: 'Changes only the values sent, checked as on creation; answers the record as it is now.',
          params: RecordParams,
          body: withExamples(RecordPatchSchema, { fields: { delivery_address: 'Oranienstraße 12, 10999 Berlin' } }),
          response: {
            200: withExamples(Data(RecordSchema), {
              data: {
                ...RECORD,
                fields: { ...RECORD.fields, delivery_address: 'Oranienstraße 12, 10999 Berlin' },
                updatedAt: '2026-12-01T08:30:00.000Z',
              },
            }),
            ...commonErrors,
          },
        },
      },
      async (req) => ({ data: await s.entities.updateRecord(req.params.name, req.params.id, req.body) }),
    );

    app.delete(
      '/entities/:name/records/:id',
      {
        config: { access: write, audit: { action: 'entity_record.delete', target: 'entity_record' } },
        schema: {
          tags: ['entities'],
          summary: 'Delete a record',
          description: 'Deletes the record for good; 404 `not_found` when it does not exist.',
          params: RecordParams,
          response: { 204: Type.Null({ description: 'Deleted.' }), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.entities.deleteRecord(req.params.name, req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
