import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, Data, Obj, withExamples } from '../../http/schemas.ts';
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
          description:
            'Every table the installation keeps (custom entities included) with its purpose, retention, link to the ' +
            'person, and per column its personal-data category, how erasure treats it and whether the access export ' +
            'carries it. The same map drives erasure, the access export and retention, and a test checks it against the ' +
            'live schema, so it is what the database holds.',
          response: {
            200: withExamples(Data(Obj({ tables: Type.Array(Table) })), {
              data: {
                tables: [
                  {
                    name: 'contacts',
                    description: 'The people marketed to: identity, profile, minors and guardians, and the current consent level.',
                    subjectLink: { kind: 'self', column: 'id' },
                    purposes: ['transactional', 'marketing', 'profiling'],
                    retention: null,
                    origin: 'builtin',
                    columns: [
                      { name: 'id', category: 'system.id', personal: false, erase: 'delete-row', exported: true, freeText: false },
                      {
                        name: 'email',
                        category: 'contact.identity.email',
                        personal: true,
                        erase: 'delete-row',
                        exported: true,
                        freeText: false,
                      },
                    ],
                  },
                ],
              },
            }),
            ...commonErrors,
          },
        },
      },
      async () => ({ data: await s.datamap.getMap() }),
    );

    app.get(
      '/datamap/report',
      {
        config: { access: { area: 'datamap', op: 'read' }, audit: false },
        schema: {
          tags: ['datamap'],
          summary: 'Records of processing (Art. 30) as Markdown',
          description:
            'The data map written out as the records of processing activities (GDPR Art. 30): categories of personal data, ' +
            'then each table with its purpose, retention and columns. Markdown, for a privacy officer to file or print.',
          produces: ['text/markdown'],
          response: {
            200: {
              description: 'The records, as Markdown.',
              content: {
                'text/markdown': {
                  schema: withExamples(
                    Type.String(),
                    '# Records of processing\n\nGenerated from the data map. Every table the product stores is listed with what it ' +
                      'holds…\n',
                  ),
                },
              },
            },
            ...commonErrors,
          },
        },
      },
      async (_req, reply) => reply.type('text/markdown; charset=utf-8').send(await s.datamap.markdown()),
    );
  };
