import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, List, Obj, Id } from '../../http/schemas.ts';
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
          body: EntityCreateSchema,
          response: { 201: Data(EntitySchema), 409: ErrorBody, ...commonErrors },
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
          response: { 200: Data(Type.Array(EntitySchema)), ...commonErrors },
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
          params: EntityParams,
          response: { 200: Data(EntitySchema), ...commonErrors },
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
          params: EntityParams,
          body: RecordCreateSchema,
          response: { 201: Data(RecordSchema), ...commonErrors },
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
          querystring: Obj({ ...PageQuery, contact: Type.Optional(Id) }),
          response: { 200: List(RecordSchema), ...commonErrors },
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
        schema: { tags: ['entities'], summary: 'One record', params: RecordParams, response: { 200: Data(RecordSchema), ...commonErrors } },
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
          params: RecordParams,
          body: RecordPatchSchema,
          response: { 200: Data(RecordSchema), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.entities.updateRecord(req.params.name, req.params.id, req.body) }),
    );

    app.delete(
      '/entities/:name/records/:id',
      {
        config: { access: write, audit: { action: 'entity_record.delete', target: 'entity_record' } },
        schema: { tags: ['entities'], summary: 'Delete a record', params: RecordParams, response: { 204: Type.Null(), ...commonErrors } },
      },
      async (req, reply) => {
        await s.entities.deleteRecord(req.params.name, req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
