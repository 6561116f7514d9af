import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, Data, List, Obj, withExamples } from '../../http/schemas.ts';
import type { AuditService } from './audit.service.ts';

const AuditItemSchema = Obj({
  id: Type.String(),
  at: Type.String(),
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  requestId: Type.Union([Type.String(), Type.Null()]),
  count: Type.Union([Type.Integer(), Type.Null()], { description: 'how many records a bulk action covered; null for other actions' }),
  actorName: Type.Union([Type.String(), Type.Null()], {
    description: 'the user’s email or the key’s name as they are now; null for the system, the command line and anonymous callers',
  }),
});

const ActorSchema = Obj({
  type: Type.Union([Type.Literal('user'), Type.Literal('api_key')]),
  id: Type.String(),
  name: Type.String({ description: 'a user’s email, a key’s name' }),
});

const Ident = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,120}$', maxLength: 120 });
const Instant = Type.String({ format: 'date-time', maxLength: 40 });

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface AuditRouteDeps {
  audit: AuditService;
}

export const auditRoutes =
  (s: AuditRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/audit',
      {
        config: { access: { area: 'audit', op: 'read' }, audit: { action: 'audit.view', target: 'audit_log' } },
        schema: {
          tags: ['audit'],
          summary: 'The audit log, newest first',
          description:
            'Who did what, when, and with what outcome: every call of the API that reads or changes records, every login and ' +
            'every job step that acts for someone. Append-only: nothing here can be changed or deleted through the API. ' +
            'Filter by `action` (e.g. `contact.update`), the target (`targetType`, `targetId`), the actor (`actorId`: a ' +
            'user or key id, from GET /api/v1/audit/actors; `actorType`: user, api_key, system, cli or anonymous), the ' +
            '`outcome` (ok, denied, failed) and a time window (`since` inclusive, `until` exclusive, ISO 8601). Entries name ' +
            'records by id and hold no personal values; `actorName` is the acting user’s email or key’s name, looked up ' +
            'as the log is read.',
          querystring: withExamples(
            Obj({
              ...PageQuery,
              action: Type.Optional(Ident),
              targetType: Type.Optional(Ident),
              targetId: Type.Optional(Ident),
              actorId: Type.Optional(Ident),
              actorType: Type.Optional(
                Type.Union([
                  Type.Literal('user'),
                  Type.Literal('api_key'),
                  Type.Literal('system'),
                  Type.Literal('cli'),
                  Type.Literal('anonymous'),
                ]),
              ),
              outcome: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('denied'), Type.Literal('failed')])),
              since: Type.Optional(Instant),
              until: Type.Optional(Instant),
            }),
            { action: 'contact.update', since: '2026-11-01T00:00:00Z', limit: 100 },
          ),
          response: {
            200: withExamples(List(AuditItemSchema), {
              data: [
                {
                  id: '01938b02-5d1e-7f3a-9b2c-4d5e6f7a8b9c',
                  at: '2026-11-30T16:05:42.120Z',
                  actorType: 'user',
                  actorId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f',
                  action: 'contact.update',
                  targetType: 'contact',
                  targetId: '01938af1-0c9d-7e2f-8a1b-2c3d4e5f6a7b',
                  outcome: 'ok',
                  requestId: '01938b02-5d1d-7c00-8e5a-6f7a8b9c0d1e',
                  count: null,
                  actorName: 'ines.moreau@example.com',
                },
              ],
              page: { next: null, total: 1, totalIsEstimate: false },
            }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const { limit: _, cursor: __, since, until, ...filter } = req.query;
        const window = {
          ...(since ? { since: new Date(since).toISOString() } : {}),
          ...(until ? { until: new Date(until).toISOString() } : {}),
        };
        return listPage(
          req.query,
          async (n, after) => s.audit.named(await s.audit.list({ ...filter, ...window }, n, after)),
          () => s.audit.count({ ...filter, ...window }),
        );
      },
    );

    app.get(
      '/audit/actors',
      {
        config: { access: { area: 'audit', op: 'read' }, audit: { action: 'audit.actors', target: 'audit_log' } },
        schema: {
          tags: ['audit'],
          summary: 'Who can appear in the audit log: every user and API key, by name',
          description:
            'Every console user (named by email) and API key (by its name), disabled and revoked ones included, to choose ' +
            'whose entries to see: pass an `id` as `actorId` to GET /api/v1/audit. Users come first, each kind in name ' +
            'order. Not paged (an installation has a few dozen staff and keys).',
          response: {
            200: withExamples(Data(Type.Array(ActorSchema)), {
              data: [
                { type: 'user', id: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e5f', name: 'ines.moreau@example.com' },
                { type: 'api_key', id: '01938a70-11c2-7a5b-8d3e-5f6a7b8c9d0e', name: 'CRM sync' },
              ],
            }),
            ...commonErrors,
          },
        },
      },
      async () => ({ data: await s.audit.actors() }),
    );
  };
