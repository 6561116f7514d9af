import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SESSION_COOKIE } from '../../http/auth.ts';
import { commonErrors, Data, ErrorBody, withExamples } from '../../http/schemas.ts';
import type { Config } from '../../config.ts';
import type { RateLimiter } from '../../http/rate-limit.ts';
import type { AuditService } from '../audit/module.ts';
import type { SettingsService } from '../settings/module.ts';
import type { UsersService } from './users.service.ts';
import { LoginSchema, PasswordChangeSchema, SessionSchema } from './users.schemas.ts';
import { AppError } from '../../lib/errors.ts';

const LOGIN_PER_IP = { scope: 'login:ip', max: 30, windowMs: 15 * 60_000 };
const LOGIN_PER_ACCOUNT = { scope: 'login:account', max: 10, windowMs: 15 * 60_000 };
/** Guesses of the current password from an open session count like logins. */
const PASSWORD_PER_USER = { scope: 'password:user', max: 10, windowMs: 15 * 60_000 };

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface SessionRouteDeps {
  audit: AuditService;
  config: Config;
  rateLimiter: RateLimiter;
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
            '`invalid_credentials` without saying which. Thirty attempts per client address and ten per account in 15 ' +
            'minutes; more answer 429 `rate_limited` with `Retry-After`. Scripts use an API key instead.',
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
        // Limits per client and per account, held in the database so every process shares them.
        await s.rateLimiter.check(LOGIN_PER_IP, req.ip);
        await s.rateLimiter.check(LOGIN_PER_ACCOUNT, req.body.email.trim().toLowerCase());
        const user = await s.users.authenticate(req.body.email, req.body.password);
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
          summary: 'Who is calling',
          description:
            'The caller as the API sees it: a console user (`kind: user`) or an API key (`kind: api_key`), with its id and ' +
            'role. Useful to check a key before using it.',
          response: { 200: withExamples(Data(SessionSchema), { data: { principal: PRINCIPAL } }), ...commonErrors },
        },
      },
      async (req) => {
        const p = req.principal!;
        return { data: { principal: { kind: p.kind, id: p.id, role: p.role } } };
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
            '/currentPassword otherwise; ten wrong ones in 15 minutes answer 429), `newPassword` at least 12 characters. Every ' +
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
        await s.rateLimiter.check(PASSWORD_PER_USER, p.id);
        await s.users.changeOwnPassword(p.id, req.body.currentPassword, req.body.newPassword, p.sessionId);
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
