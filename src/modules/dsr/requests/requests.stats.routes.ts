import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { commonErrors, Data, Obj, withExamples } from '../../../http/schemas.ts';
import type { RequestStatsService } from './requests.stats.service.ts';

const RequestTotalsSchema = Obj({
  open: Type.Integer({ minimum: 0, description: 'cases neither completed nor rejected' }),
  dueSoon: Type.Integer({
    minimum: 0,
    description: 'open cases due within `dueWithinDays` days from today, overdue ones included (as `GET /requests?dueWithin=` lists them)',
  }),
  dueWithinDays: Type.Integer({ minimum: 0 }),
  overdue: Type.Integer({ minimum: 0, description: 'open cases past their deadline (as `GET /requests?overdue=true` lists them)' }),
});

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface RequestStatsRouteDeps {
  requestStats: RequestStatsService;
}

export const requestStatsRoutes =
  (s: RequestStatsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/stats/requests',
      {
        // Numbers only, about no requester: nothing personal to audit.
        config: { access: { area: 'requests', op: 'read' }, audit: false },
        schema: {
          tags: ['requests'],
          summary: 'How many data-subject requests are open, due within 7 days and overdue',
          description:
            'Counts of the case queue now, in one read: open cases (neither completed nor rejected), those due within ' +
            '`dueWithinDays` days from today (overdue ones included) and those past their deadline, today being the date in ' +
            'the installation time zone (the `timeZone` setting).',
          response: {
            200: withExamples(Data(RequestTotalsSchema), { data: { open: 12, dueSoon: 4, dueWithinDays: 7, overdue: 1 } }),
            ...commonErrors,
          },
        },
      },
      async () => ({ data: await s.requestStats.totals() }),
    );
  };
