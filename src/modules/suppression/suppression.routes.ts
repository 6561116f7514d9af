import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, Obj } from '../../http/schemas.ts';
import type { SuppressionService } from './suppression.service.ts';

const SuppressionQuery = Obj({ email: Type.String({ minLength: 3, maxLength: 254 }) });

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface SuppressionRouteDeps {
  suppressions: SuppressionService;
}

export const suppressionRoutes =
  (s: SuppressionRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    // The audit entry names no target: the only key of a suppression is the address's hash.
    app.delete(
      '/suppressions',
      {
        config: { access: { area: 'suppressions', op: 'write' }, audit: { action: 'suppression.lift', target: 'suppression' } },
        schema: {
          tags: ['erasure'],
          summary: 'Lift the suppression of an erased address, so it can be created, imported or submitted again',
          querystring: SuppressionQuery,
          response: { 204: Type.Null(), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.suppressions.lift(req.query.email);
        return reply.status(204).send(null);
      },
    );
  };
