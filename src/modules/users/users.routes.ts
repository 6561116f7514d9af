import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, Obj } from '../../http/schemas.ts';
import type { UsersService } from './users.service.ts';
import { KeyCreatedSchema, KeyCreateSchema, KeySchema, UserCreateSchema, UserPatchSchema, UserSchema } from './users.schemas.ts';

const read = { area: 'users', op: 'read' } as const;
const write = { area: 'users', op: 'write' } as const;

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface UsersRouteDeps {
  users: UsersService;
}

export const usersRoutes =
  (s: UsersRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/users',
      {
        config: { access: read, audit: { action: 'user.list', target: 'user' } },
        schema: {
          tags: ['users'],
          summary: 'Staff users',
          querystring: Obj(PageQuery),
          response: { 200: List(UserSchema), ...commonErrors },
        },
      },
      async (req) => {
        return listPage(
          req.query,
          (n, after) => s.users.listUsers(n, after),
          () => s.users.usersTotal(),
        );
      },
    );

    app.post(
      '/users',
      {
        config: { access: write, audit: { action: 'user.create', target: 'user' } },
        schema: {
          tags: ['users'],
          summary: 'Create a staff user',
          body: UserCreateSchema,
          response: { 201: Data(UserSchema), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        const user = await s.users.createUser(req.body);
        req.auditTargetId = user.id;
        return reply.status(201).send({ data: user });
      },
    );

    app.get(
      '/users/:id',
      {
        config: { access: read, audit: { action: 'user.view', target: 'user' } },
        schema: { tags: ['users'], summary: 'One staff user', params: IdParams, response: { 200: Data(UserSchema), ...commonErrors } },
      },
      async (req) => ({ data: await s.users.getUser(req.params.id) }),
    );

    app.patch(
      '/users/:id',
      {
        config: { access: write, audit: { action: 'user.update', target: 'user' } },
        schema: {
          tags: ['users'],
          summary: 'Change role, name, password, or disable a user',
          params: IdParams,
          body: UserPatchSchema,
          response: { 200: Data(UserSchema), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.users.updateUser(req.params.id, req.body) }),
    );

    app.get(
      '/keys',
      {
        config: { access: read, audit: { action: 'key.list', target: 'api_key' } },
        schema: {
          tags: ['users'],
          summary: 'API keys (never their secrets)',
          querystring: Obj(PageQuery),
          response: { 200: List(KeySchema), ...commonErrors },
        },
      },
      async (req) => {
        return listPage(
          req.query,
          (n, after) => s.users.listKeys(n, after),
          () => s.users.keysTotal(),
        );
      },
    );

    app.post(
      '/keys',
      {
        config: { access: write, audit: { action: 'key.create', target: 'api_key' } },
        schema: {
          tags: ['users'],
          summary: 'Create an API key; its secret is in this response only',
          body: KeyCreateSchema,
          response: { 201: Data(KeyCreatedSchema), ...commonErrors },
        },
      },
      async (req, reply) => {
        const createdBy = req.principal?.kind === 'user' ? req.principal.id : null;
        const created = await s.users.createKey({ ...req.body, createdBy });
        req.auditTargetId = created.key.id;
        return reply.status(201).send({ data: created });
      },
    );

    app.delete(
      '/keys/:id',
      {
        config: { access: write, audit: { action: 'key.revoke', target: 'api_key' } },
        schema: { tags: ['users'], summary: 'Revoke an API key', params: IdParams, response: { 204: Type.Null(), ...commonErrors } },
      },
      async (req, reply) => {
        await s.users.revokeKey(req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
