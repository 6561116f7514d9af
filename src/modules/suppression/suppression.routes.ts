import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, Obj, withExamples } from '../../http/schemas.ts';
import type { SuppressionService } from './suppression.service.ts';

const SuppressionQuery = withExamples(
  Obj({
    email: Type.String({
      minLength: 3,
      maxLength: 254,
      description: 'the erased address, as it was written (compared without regard to case)',
    }),
  }),
  { email: 'lena.fischer@example.org' },
);

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
          description:
            'An erased address is kept only as a keyed hash, so that it is not created, imported or submitted again ' +
            '(409 `suppressed`). When the person comes back of their own accord, an admin lifts it here. 404 `not_found` ' +
            'when the address is not suppressed.',
          querystring: SuppressionQuery,
          response: { 204: Type.Null({ description: 'Lifted.' }), ...commonErrors },
        },
      },
      async (req, reply) => {
        await s.suppressions.lift(req.query.email);
        return reply.status(204).send(null);
      },
    );
  };
