import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../http/auth.ts';
import { commonErrors, Data, Obj } from '../../http/schemas.ts';
import type { RetentionService } from './retention.service.ts';

const Item = Obj({ table: Type.String(), after: Type.String(), from: Type.String(), cutoff: Type.String(), rows: Type.Integer() });

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface RetentionRouteDeps {
  retention: RetentionService;
}

export const retentionRoutes =
  (s: RetentionRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/retention/preview',
      {
        config: { access: { area: 'retention', op: 'read' }, audit: false },
        schema: {
          tags: ['retention'],
          summary: 'What a retention run would delete now, per table',
          response: { 200: Data(Type.Array(Item)), ...commonErrors },
        },
      },
      async () => ({ data: await s.retention.preview() }),
    );

    app.post(
      '/retention/run',
      {
        config: { access: { area: 'retention', op: 'write' }, audit: false },
        schema: {
          tags: ['retention'],
          summary: 'Run retention now (it also runs daily in the background); the run is audited',
          response: { 200: Data(Type.Array(Item)), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.retention.run({ actor: actorOf(req) }) }),
    );
  };
