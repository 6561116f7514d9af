import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PageQuery, listPage } from '../../http/pagination.ts';
import { commonErrors, List, Obj } from '../../http/schemas.ts';
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
});

const Ident = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,120}$' });

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
          querystring: Obj({
            ...PageQuery,
            action: Type.Optional(Ident),
            targetType: Type.Optional(Ident),
            targetId: Type.Optional(Ident),
            actorId: Type.Optional(Ident),
            since: Type.Optional(Type.String({ format: 'date-time' })),
            until: Type.Optional(Type.String({ format: 'date-time' })),
          }),
          response: { 200: List(AuditItemSchema), ...commonErrors },
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
          (n, after) => s.audit.list({ ...filter, ...window }, n, after),
          () => s.audit.count({ ...filter, ...window }),
        );
      },
    );
  };
