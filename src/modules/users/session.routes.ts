import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SESSION_COOKIE } from '../../http/auth.ts';
import { rightsOf } from '../../http/access.ts';
import { commonErrors, Data, ErrorBody, withExamples } from '../../http/schemas.ts';
import type { Config } from '../../config.ts';
import type { AuditService } from '../audit/module.ts';
import type { SettingsService } from '../settings/module.ts';
import type { UsersService } from './users.service.ts';
import { LoginSchema, PasswordChangeSchema, SessionSchema } from './users.schemas.ts';
import { AppError } from '../../lib/errors.ts';

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface SessionRouteDeps {
  audit: AuditService;
  config: Config;
  settings: SettingsService;
  users: UsersService;
}

const PRINCIPAL = { kind: 'user' as const, id: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f', role: 'marketer' as const };

export const sessionRoutes =
  (s: SessionRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/session',
      {
        config: { access: 'public', audit: false },
        schema: {
          tags: ['session'],
          summary: 'Log in to the console: sets an HTTP-only session cookie',
          description:
            'Checks the email and password of a console user and sets the session cookie (HTTP-only, SameSite=Strict, ' +
            'Secure when the public base URL is https) until `expiresAt`. A wrong pair, or a disabled user, answers 401 ' +
            '`invalid_credentials` without saying which. Scripts use an API key instead. ' +
            'Wrong guesses are slowed, never locked out: after 5 failures for an address from one client (an IPv4 ' +
            'address, an IPv6 /64), 20 for the address from everywhere or 50 from the client for any address, within ' +
            'an hour of the last, each further attempt waits 1, 2, 4… seconds, at most 15 minutes; an attempt that ' +
            'comes earlier answers 429 `rate_limited` with `Retry-After` and is not checked. A client that gave the ' +
            "address's right password in the last 30 days is held only to its own count, so the real user gets in " +
            'while an attacker elsewhere is slowed. Unknown addresses are answered exactly like known ones.',
          security: [],
          body: withExamples(LoginSchema, { email: 'ines.moreau@example.com', password: 'correct horse battery staple' }),
          response: {
            201: withExamples(Data(SessionSchema), { data: { principal: PRINCIPAL, expiresAt: '2026-12-05T20:00:00.000Z' } }),
            400: ErrorBody,
            401: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (req, reply) => {
        // Throttled per address, client and both, in the database so every process shares it.
        const user = await s.users.login(req.body.email, req.body.password, req.ip);
        const session = await s.users.createSession(user.id);
        const https = (await s.settings.get()).publicBaseUrl.startsWith('https:');
        void reply.setCookie(SESSION_COOKIE, session.token, {
          httpOnly: true,
          sameSite: 'strict',
          path: '/',
          secure: s.config.secureCookies ?? https,
          expires: new Date(session.expiresAt),
        });
        await s.audit.record({
          actor: { type: 'user', id: user.id },
          action: 'session.create',
          targetType: 'session',
          targetId: session.sessionId,
          outcome: 'ok',
          requestId: String(req.id),
        });
        return reply
          .status(201)
          .send({ data: { principal: { kind: 'user' as const, id: user.id, role: user.role }, expiresAt: session.expiresAt } });
      },
    );

    app.get(
      '/session',
      {
        config: { access: { area: 'self', op: 'read' }, audit: false },
        schema: {
          tags: ['session'],
          summary: 'Who is calling, and what they may do',
          description:
            'The caller as the API sees it: a console user (`kind: user`) or an API key (`kind: api_key`), with its id and ' +
            'role; for a user also `user` (email and name). `rights` gives, for every area of the access table, the ' +
            'operations the caller may use (`read`, `write`): the console shows navigation and actions from it, and the ' +
            'server still checks every call against the same table. Useful to check a key before using it.',
          response: {
            200: withExamples(Data(SessionSchema), { data: { principal: PRINCIPAL, rights: rightsOf(PRINCIPAL.role) } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const p = req.principal!;
        const principal = { kind: p.kind, id: p.id, role: p.role };
        const rights = rightsOf(p.role);
        if (p.kind !== 'user') return { data: { principal, rights } };
        const u = await s.users.getUser(p.id);
        return { data: { principal, user: { email: u.email, name: u.name }, rights } };
      },
    );

    app.post(
      '/session/password',
      {
        config: { access: { area: 'self', op: 'write' }, audit: { action: 'session.password', target: 'user' } },
        schema: {
          tags: ['session'],
          summary: 'Change your own password (every role); your other sessions end',
          description:
            'For a signed-in user (session cookie): `currentPassword` must be the password now (400 `validation_failed` at ' +
            '/currentPassword otherwise; wrong ones are slowed as logins are, by the same count: 429 `rate_limited` with ' +
            '`Retry-After`), `newPassword` at least 12 characters. Every ' +
            'other session of the user ends; the one that asked stays. An API key has no password: 400 `validation_failed`.',
          body: withExamples(PasswordChangeSchema, {
            currentPassword: 'correct horse battery staple',
            newPassword: 'a longer passphrase, 2026',
          }),
          response: { 204: Type.Null({ description: 'Changed.' }), 429: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        const p = req.principal!;
        if (p.kind !== 'user')
          throw new AppError('validation_failed', 'an API key has no password: sign in as the user to change it', [
            { path: '/', message: 'needs a user session' },
          ]);
        req.auditTargetId = p.id;
        await s.users.changeOwnPassword(p.id, req.body.currentPassword, req.body.newPassword, p.sessionId, req.ip);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/session',
      {
        config: { access: { area: 'self', op: 'write' }, audit: { action: 'session.delete', target: 'session' } },
        schema: {
          tags: ['session'],
          summary: 'Log out: ends the session and clears its cookie',
          description:
            'Ends the session that calls and clears its cookie. Called with an API key it changes nothing (revoke a key with ' +
            '`DELETE /api/v1/keys/{id}`).',
          response: { 204: Type.Null({ description: 'Logged out.' }), ...commonErrors },
        },
      },
      async (req, reply) => {
        const p = req.principal!;
        if (p.sessionId) {
          await s.users.endSession(p.sessionId);
          req.auditTargetId = p.sessionId;
        }
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );
  };
