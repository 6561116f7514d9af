import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../http/auth.ts';
import { commonErrors, Data, Obj, withExamples } from '../../http/schemas.ts';
import type { RetentionService } from './retention.service.ts';

const Item = Obj({
  table: Type.String({ description: 'the table (as the data map names it)' }),
  after: Type.String({ description: 'how long rows are kept, as an ISO 8601 duration' }),
  from: Type.String({ description: 'the column the age is counted from' }),
  cutoff: Type.String({ description: 'rows older than this instant go' }),
  rows: Type.Integer({ description: 'rows that would go (preview) or went (run)' }),
});
const ITEMS = {
  data: [
    { table: 'outbox', after: 'P30D', from: 'created_at', cutoff: '2026-11-05T07:00:00.000Z', rows: 212 },
    { table: 'sessions', after: 'P30D', from: 'expires_at', cutoff: '2026-11-05T07:00:00.000Z', rows: 9 },
  ],
};

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
          description:
            'For each table the data map gives a retention period: how many rows are older than it now and would be ' +
            'deleted by a run. Deletes nothing.',
          response: { 200: withExamples(Data(Type.Array(Item)), ITEMS), ...commonErrors },
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
          description:
            'Deletes, table by table and in batches, the rows older than their retention period, and answers how many went ' +
            'per table, with one audit entry for the run. Takes no body; a second run deletes only what has expired since.',
          response: { 200: withExamples(Data(Type.Array(Item)), ITEMS), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.retention.run({ actor: actorOf(req) }) }),
    );
  };
