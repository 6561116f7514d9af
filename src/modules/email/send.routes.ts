import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listPage, PageQuery } from '../../http/pagination.ts';
import { commonErrors, Data, Id, IdParams, List, Obj, withExamples } from '../../http/schemas.ts';
import { AppError } from '../../lib/errors.ts';
import type { CampaignService } from './campaign.service.ts';
import { CAMPAIGN, CampaignSchema, IdempotencyKey, SEND, SendSchema, SendStatusSchema } from './campaign.schemas.ts';
import type { SendService } from './send.service.ts';

/** What these routes use. */
export interface SendRouteDeps {
  sends: SendService;
  campaigns: CampaignService;
}

const read = { area: 'messages', op: 'read' } as const;
const write = { area: 'messages', op: 'write' } as const;

export const sendRoutes =
  (s: SendRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/messages/:id/send',
      {
        config: { access: write, audit: { action: 'message.send', target: 'message' } },
        schema: {
          tags: ['campaigns'],
          summary: 'Send a message to a contact, or start a campaign to a segment',
          description:
            'With `contactId`: one send (202 `{data: {send}}`), run by the job queue through the same pipeline as a campaign: ' +
            "the gate for the message's purpose at the moment of sending (caller `staff`), the suppression list, hard bounces, a " +
            'valid address, frequency caps and quiet hours; a refusal is written on the send with its reason. `idempotencyKey` makes ' +
            'a repeated request return the first send and mail no one twice. With `segmentId`: a campaign (202 `{data: ' +
            "{campaign}}`) that fixes its recipients (the segment's members now) and sends in batches; follow it at GET " +
            '/campaigns/{id}. Name exactly one of `contactId` and `segmentId` (400 `validation_failed`); an unknown message or ' +
            'segment is 404 `not_found`.',
          params: IdParams,
          body: withExamples(
            Obj({ contactId: Type.Optional(Id), idempotencyKey: Type.Optional(IdempotencyKey), segmentId: Type.Optional(Id) }),
            { contactId: SEND.contactId, idempotencyKey: 'order-4711-confirmation' },
            { segmentId: CAMPAIGN.segmentId },
          ),
          response: {
            202: withExamples(
              Data(Obj({ send: Type.Optional(SendSchema), campaign: Type.Optional(CampaignSchema) })),
              { data: { send: SEND } },
              { data: { campaign: { ...CAMPAIGN, status: 'preparing', recipients: 0 } } },
            ),
            ...commonErrors,
          },
        },
      },
      async (req, reply) => {
        const { contactId, segmentId, idempotencyKey } = req.body;
        req.auditTargetId = req.params.id;
        if ((contactId === undefined) === (segmentId === undefined))
          throw new AppError('validation_failed', 'name contactId or segmentId, not both', [
            { path: contactId === undefined ? '/contactId' : '/segmentId', message: 'exactly one of contactId and segmentId' },
          ]);
        if (segmentId !== undefined) {
          if (idempotencyKey !== undefined)
            throw new AppError('validation_failed', 'idempotencyKey is for a send to a contact', [
              { path: '/idempotencyKey', message: 'not with segmentId' },
            ]);
          const p = req.principal!;
          const campaign = await s.campaigns.start(req.params.id, segmentId, p.kind === 'user' ? p.id : null);
          return reply.status(202).send({ data: { campaign } });
        }
        const send = await s.sends.sendToContact(req.params.id, contactId!, idempotencyKey);
        return reply.status(202).send({ data: { send } });
      },
    );

    app.get(
      '/sends',
      {
        config: { access: read, audit: { action: 'send.list', target: 'contact' } },
        schema: {
          tags: ['campaigns'],
          summary: 'Sends',
          description:
            'Sends newest first, filtered by message, contact, campaign and status. A send names its contact by id, never by address.',
          querystring: Obj({
            ...PageQuery,
            message: Type.Optional(Id),
            contact: Type.Optional(Id),
            campaign: Type.Optional(Id),
            status: Type.Optional(SendStatusSchema),
          }),
          response: {
            200: withExamples(List(SendSchema), { data: [SEND], page: { next: null, total: 1, totalIsEstimate: false } }),
            ...commonErrors,
          },
        },
      },
      async (req) => {
        const f = {
          ...(req.query.message && { messageId: req.query.message }),
          ...(req.query.contact && { contactId: req.query.contact }),
          ...(req.query.campaign && { campaignId: req.query.campaign }),
          ...(req.query.status && { status: req.query.status }),
        };
        req.auditTargetId = req.query.contact ?? null;
        return listPage(
          req.query,
          (n, after) => s.sends.list(f, n, after),
          () => s.sends.total(f),
        );
      },
    );
  };
