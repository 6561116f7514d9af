import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listPage, PageQuery } from '../../http/pagination.ts';
import { commonErrors, Data, ErrorBody, Id, IdParams, List, Obj, withExamples } from '../../http/schemas.ts';
import type { CampaignService } from './campaign.service.ts';
import { AUDIENCE, AudienceSchema, CAMPAIGN, CampaignSchema } from './campaign.schemas.ts';

/** What these routes use. */
export interface CampaignRouteDeps {
  campaigns: CampaignService;
}

const read = { area: 'messages', op: 'read' } as const;
const write = { area: 'messages', op: 'write' } as const;
const One = withExamples(Data(CampaignSchema), { data: CAMPAIGN });

export const campaignRoutes =
  (s: CampaignRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/campaigns',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['campaigns'],
          summary: 'Campaigns',
          description: "Campaigns newest first, with their message's and segment's names, status and counts.",
          querystring: Obj(PageQuery),
          response: {
            200: withExamples(List(CampaignSchema), { data: [CAMPAIGN], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) =>
        listPage(
          req.query,
          (n, after) => s.campaigns.list(n, after),
          () => s.campaigns.total(),
        ),
    );

    app.get(
      '/campaigns/:id',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['campaigns'],
          summary: 'A campaign and its counts',
          description:
            'Queued and deferred count the sends still waiting; sent, failed, cancelled, refused (by reason) and the delivery and ' +
            'tracking outcomes are anonymous totals, which stay when a recipient is erased.',
          params: IdParams,
          response: { 200: One, ...commonErrors },
        },
      },
      async (req) => ({ data: await s.campaigns.get(req.params.id) }),
    );

    const transitions = [
      [
        'pause',
        'Pause a sending campaign',
        'Batches stop taking its sends (a batch already delivering finishes). Only a `sending` campaign.',
      ],
      ['resume', 'Resume a paused campaign', 'Its waiting sends are taken again. Only a `paused` campaign.'],
      [
        'cancel',
        'Cancel a campaign',
        'Its queued sends are cancelled, and its deferred ones unless the setting `emailRules.dropDeferredWhenCancelled` is false. ' +
          'A campaign that is `done` or already `cancelled` cannot be.',
      ],
    ] as const;
    for (const [verb, summary, what] of transitions) {
      app.post(
        `/campaigns/:id/${verb}`,
        {
          config: { access: write, audit: { action: `campaign.${verb}`, target: 'campaign' } },
          schema: {
            tags: ['campaigns'],
            summary,
            description: `${what} Any other state answers 409 \`campaign_state\` with \`details.status\`.`,
            params: IdParams,
            response: { 200: One, 409: ErrorBody, ...commonErrors },
          },
        },
        async (req) => {
          req.auditTargetId = req.params.id;
          return { data: await s.campaigns[verb](req.params.id) };
        },
      );
    }

    app.post(
      '/messages/:id/audience',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['campaigns'],
          summary: 'How many of a segment the gate would refuse, and why',
          description:
            "Before a campaign starts: the segment's members now, how many the gate allows for the message's purpose (caller " +
            '`campaign`) and are neither suppressed nor undeliverable, and the others by reason. The gate is asked again for ' +
            'each recipient when its mail is sent; frequency caps and quiet hours apply then.',
          params: IdParams,
          body: withExamples(Obj({ segmentId: Id }), { segmentId: CAMPAIGN.segmentId }),
          response: { 200: withExamples(Data(AudienceSchema), { data: AUDIENCE }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.campaigns.audience(req.params.id, req.body.segmentId) }),
    );
  };
