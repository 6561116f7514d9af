import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, Data, Obj, withExamples } from '../../http/schemas.ts';
import type { ContactStatsService } from './contacts.stats.service.ts';

const LevelCount = Obj({
  level: Type.Integer({ format: 'int32', minimum: 0, maximum: 5 }),
  count: Type.Integer({ minimum: 0 }),
});
const ContactTotalsSchema = Obj({
  total: Type.Integer({ minimum: 0, description: 'every contact' }),
  levels: Type.Array(LevelCount, { description: 'each of the six levels, lowest first, 0 where no contact holds it' }),
});

const EXAMPLE = {
  total: 1840,
  levels: [
    { level: 0, count: 210 },
    { level: 1, count: 95 },
    { level: 2, count: 400 },
    { level: 3, count: 615 },
    { level: 4, count: 380 },
    { level: 5, count: 140 },
  ],
};

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface ContactStatsRouteDeps {
  contactStats: ContactStatsService;
}

export const contactStatsRoutes =
  (s: ContactStatsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/stats/contacts',
      {
        // Numbers only, about no one: nothing personal to audit.
        config: { access: { area: 'contacts', op: 'read' }, audit: false },
        schema: {
          tags: ['contacts'],
          summary: 'How many contacts there are, in total and at each consent level',
          description:
            'The number of contacts at each stored consent level (all six, lowest first, 0 where none) and their total, ' +
            'counted now in one grouped read. The stored level is counted, as the contact list filters it: a child without ' +
            'guardian consent is counted at its stored level although the gate treats it as level 0.',
          response: { 200: withExamples(Data(ContactTotalsSchema), { data: EXAMPLE }), ...commonErrors },
        },
      },
      async () => ({ data: await s.contactStats.byLevel() }),
    );
  };
