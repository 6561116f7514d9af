import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, Data, Obj } from '../../http/schemas.ts';
import type { DataMapService } from './datamap.service.ts';

const Column = Obj({
  name: Type.String(),
  category: Type.String(),
  personal: Type.Boolean(),
  erase: Type.String({ description: 'delete-row, null, keep, or redact (free text: the person’s identifiers replaced by a marker)' }),
  exported: Type.Boolean(),
  freeText: Type.Optional(
    Type.Boolean({
      description:
        'text staff or callers type, which may name anyone: erasure redacts it where the row is the person’s, elsewhere flags it as a task',
    }),
  ),
  description: Type.Optional(Type.String()),
});
const Ref = Obj({ table: Type.String(), column: Type.String() });
const Table = Obj({
  name: Type.String(),
  description: Type.String(),
  subjectLink: Type.Union([Obj({ kind: Type.String(), column: Type.String() }), Type.Null()]),
  partOf: Type.Optional(Ref),
  flag: Type.Optional(Obj({ flag: Type.String(), detail: Type.String() })),
  rowKey: Type.Optional(Type.String()),
  purposes: Type.Array(Type.String()),
  retention: Type.Union([Obj({ after: Type.String(), from: Type.String() }), Type.Null()]),
  origin: Type.String(),
  columns: Type.Array(Column),
});

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface DatamapRouteDeps {
  datamap: DataMapService;
}

export const datamapRoutes =
  (s: DatamapRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/datamap',
      {
        config: { access: { area: 'datamap', op: 'read' }, audit: false },
        schema: {
          tags: ['datamap'],
          summary: 'The data map: every table and column with its privacy classification',
          response: { 200: Data(Obj({ tables: Type.Array(Table) })), ...commonErrors },
        },
      },
      async () => ({ data: await s.datamap.getMap() }),
    );

    app.get(
      '/datamap/report',
      {
        config: { access: { area: 'datamap', op: 'read' }, audit: false },
        schema: { tags: ['datamap'], summary: 'Records of processing (Art. 30) as Markdown', produces: ['text/markdown'] },
      },
      async (_req, reply) => reply.type('text/markdown; charset=utf-8').send(await s.datamap.markdown()),
    );
  };
