import { Type } from 'typebox';
import { Id, Obj } from '../../http/schemas.ts';
import type { Campaign, Send } from './campaign.model.ts';
import type { Audience } from './campaign.service.ts';

const Time = Type.String({ format: 'date-time' });
const MaybeTime = Type.Union([Time, Type.Null()]);
const N = Type.Integer({ minimum: 0 });

export const CampaignStatusSchema = Type.Union(
  [Type.Literal('preparing'), Type.Literal('sending'), Type.Literal('paused'), Type.Literal('cancelled'), Type.Literal('done')],
  { description: 'preparing (fixing its recipients) → sending → done; paused and resumed; cancelled' },
);

const Refused = Type.Record(Type.String({ maxLength: 60 }), N, {
  description:
    "refusals by reason: the gate's (`below_required_level`, `child_without_guardian_consent`, `purpose_not_for_caller`, …), " +
    '`suppressed`, `undeliverable`, `invalid_address`, `frequency_cap`',
});

export const CampaignSchema = Obj({
  id: Id,
  messageId: Id,
  messageName: Type.Union([Type.String(), Type.Null()]),
  segmentId: Id,
  segmentName: Type.Union([Type.String(), Type.Null()], { description: 'null when the segment was deleted since' }),
  status: CampaignStatusSchema,
  recipients: Type.Integer({ minimum: 0, description: 'the sends the campaign made when it fixed its recipients (0 while preparing)' }),
  counts: Obj(
    {
      queued: N,
      deferred: N,
      sent: N,
      failed: N,
      cancelled: N,
      refused: Refused,
      delivered: Type.Integer({
        minimum: 0,
        description:
          'accepted by the relay (`sent`) minus reported hard bounces (`bounced`), never below 0: the relay taking a mail is not ' +
          'its arrival, and a bounce may come back days later, so this falls as bounces arrive',
      }),
      bounced: N,
      complained: N,
      unsubscribed: N,
      opened: N,
      clicked: N,
    },
    {
      description:
        'queued and deferred count the sends still waiting; the rest are anonymous totals that outlive every erasure of a recipient. ' +
        'delivered = sent − bounced (hard bounces of this campaign’s sends received so far), never below 0',
    },
  ),
  createdAt: Time,
  startedAt: MaybeTime,
  endedAt: MaybeTime,
});

export const SendStatusSchema = Type.Union([
  Type.Literal('queued'),
  Type.Literal('deferred'),
  Type.Literal('sent'),
  Type.Literal('refused'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);

export const SendSchema = Obj({
  id: Id,
  messageId: Id,
  contactId: Id,
  origin: Type.String({
    description: '`campaign:<id>`, `direct:<key>` or `journey:<step>`: a send is unique by message, contact and origin',
  }),
  campaignId: Type.Union([Id, Type.Null()]),
  purpose: Type.String(),
  status: SendStatusSchema,
  reason: Type.Union([Type.String(), Type.Null()], {
    description:
      "why it was refused, failed or deferred: the gate's reason, `suppressed`, `undeliverable`, `invalid_address`, " +
      '`frequency_cap`, `smtp_<code>`',
  }),
  tracked: Type.Boolean({ description: 'the open pixel and click links were put in (the gate allowed profiling)' }),
  attempts: N,
  notBefore: Type.Union([Time, Type.Null()], { description: 'deferred until, or the next attempt after a temporary failure' }),
  queuedAt: Time,
  sentAt: MaybeTime,
  updatedAt: Time,
});

export const AudienceSchema = Obj({
  recipients: N,
  allowed: N,
  refused: Refused,
});

export const IdempotencyKey = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9._:-]+$',
  description: 'makes the send unique per (message, contact, key): repeating the request with the same key sends nothing more',
});

// ---- examples -----------------------------------------------------------------------------

export const CAMPAIGN: Campaign = {
  id: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e60',
  messageId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e61',
  messageName: 'Spring newsletter',
  segmentId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e62',
  segmentName: 'Newsletter readers',
  status: 'sending',
  recipients: 1200,
  counts: {
    queued: 400,
    deferred: 10,
    sent: 700,
    failed: 2,
    cancelled: 0,
    refused: { below_required_level: 80, suppressed: 8 },
    delivered: 697,
    bounced: 3,
    complained: 0,
    unsubscribed: 4,
    opened: 120,
    clicked: 31,
  },
  createdAt: '2026-03-01T09:00:00.000Z',
  startedAt: '2026-03-01T09:00:00.000Z',
  endedAt: null,
};

export const SEND: Send = {
  id: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e63',
  messageId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e61',
  contactId: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e64',
  origin: 'direct:order-4711-confirmation',
  campaignId: null,
  purpose: 'transactional',
  status: 'queued',
  reason: null,
  tracked: false,
  attempts: 0,
  notBefore: null,
  queuedAt: '2026-03-01T09:00:00.000Z',
  sentAt: null,
  updatedAt: '2026-03-01T09:00:00.000Z',
};

export const AUDIENCE: Audience = {
  recipients: 1200,
  allowed: 1104,
  refused: { below_required_level: 80, child_without_guardian_consent: 8, suppressed: 8 },
};
