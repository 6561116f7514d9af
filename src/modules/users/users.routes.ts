import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, Obj, withExamples } from '../../http/schemas.ts';
import type { UsersService } from './users.service.ts';
import { KeyCreatedSchema, KeyCreateSchema, KeySchema, UserCreateSchema, UserPatchSchema, UserSchema } from './users.schemas.ts';

const USER = {
  id: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f',
  email: 'ines.moreau@example.com',
  name: 'Inès Moreau',
  role: 'privacy_officer' as const,
  disabled: false,
  createdAt: '2026-03-02T09:14:00.000Z',
  lastLoginAt: '2026-11-30T16:02:11.000Z',
};
const KEY = {
  id: '01938a70-11c2-7a5b-8d3e-5f6a7b8c9d0e',
  name: 'CRM sync',
  role: 'marketer' as const,
  prefix: 'k3Xr9TqL2mWz',
  createdBy: USER.id,
  createdAt: '2026-04-11T08:00:00.000Z',
  revokedAt: null,
};
const PAGE = { next: null, total: 1, totalIsEstimate: false };

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
          description: 'The console users, oldest first, with their role and whether they are disabled. Passwords are never returned.',
          querystring: withExamples(Obj(PageQuery), { limit: 50 }),
          response: { 200: withExamples(List(UserSchema), { data: [USER], page: PAGE }), ...commonErrors },
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
          description:
            'A console user with a role and a password of at least 12 characters (the password is stored as a hash, never ' +
            'returned). An email another user holds is refused with 409 `user_exists`.',
          body: withExamples(UserCreateSchema, {
            email: USER.email,
            role: 'privacy_officer',
            password: 'correct horse battery staple',
            name: USER.name,
          }),
          response: { 201: withExamples(Data(UserSchema), { data: { ...USER, lastLoginAt: null } }), 409: ErrorBody, ...commonErrors },
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
        schema: {
          tags: ['users'],
          summary: 'One staff user',
          description: 'The user with this id; 404 `not_found` when there is none.',
          params: IdParams,
          response: { 200: withExamples(Data(UserSchema), { data: USER }), ...commonErrors },
        },
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
          description:
            'Changes only the fields sent (at least one). Disabling a user or setting a new password ends their sessions; a ' +
            'disabled user cannot log in until enabled again. Answers the user as it is now.',
          params: IdParams,
          body: withExamples(UserPatchSchema, { role: 'viewer' }, { disabled: true }),
          response: { 200: withExamples(Data(UserSchema), { data: { ...USER, role: 'viewer' } }), ...commonErrors },
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
          description:
            'Every API key, revoked ones included (with `revokedAt`), oldest first. `prefix` is the part of the secret after ' +
            '`assent_`, to tell which key a secret is; the secret itself was shown once, when the key was made.',
          querystring: withExamples(Obj(PageQuery), { limit: 50 }),
          response: { 200: withExamples(List(KeySchema), { data: [KEY], page: PAGE }), ...commonErrors },
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
          description:
            'A key for a script or an integration, acting with the role given. The secret (`assent_<prefix>_<random>`) is ' +
            'in this answer only and is not stored: keep it now, send it as `Authorization: Bearer <secret>`.',
          body: withExamples(KeyCreateSchema, { name: KEY.name, role: 'marketer' }),
          response: {
            201: withExamples(Data(KeyCreatedSchema), {
              data: { key: KEY, secret: 'assent_k3Xr9TqL2mWz_Zp4vQe8sYt1uRw6xNa2bLc5dKf7gHj3' },
            }),
            ...commonErrors,
          },
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
        schema: {
          tags: ['users'],
          summary: 'Revoke an API key',
          description:
            'The key stops working at once; it stays listed with `revokedAt`, for the audit log. Revoking twice changes nothing.',
          params: IdParams,
          response: { 204: Type.Null({ description: 'Revoked.' }), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.users.revokeKey(req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
