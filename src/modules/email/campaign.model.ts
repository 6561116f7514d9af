import type { CampaignCountsTable, CampaignStatus, CampaignsTable, SendStatus, SendsTable } from './email.table.ts';

/** Outcomes the anonymous totals keep besides refusals (which go by reason). */
// `delivered` is not kept: it is derived (`countsFrom`).
const OUTCOMES = ['sent', 'failed', 'cancelled', 'bounced', 'complained', 'unsubscribed', 'opened', 'clicked'] as const;

export interface CampaignCounts {
  queued: number;
  deferred: number;
  sent: number;
  failed: number;
  cancelled: number;
  refused: Record<string, number>;
  /** Accepted by the relay and not reported bounced since: `sent` − `bounced`, never below 0. */
  delivered: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  opened: number;
  clicked: number;
}

export interface Campaign {
  id: string;
  messageId: string;
  messageName: string | null;
  segmentId: string;
  segmentName: string | null;
  status: CampaignStatus;
  recipients: number;
  counts: CampaignCounts;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

/** The totals of one campaign: pending sends counted live, everything else from the anonymous counts. */
export function countsFrom(counts: readonly CampaignCountsTable[], pending: readonly { status: string; n: number }[]): CampaignCounts {
  const out: CampaignCounts = {
    queued: 0,
    deferred: 0,
    sent: 0,
    failed: 0,
    cancelled: 0,
    // Keyed by reason: no prototype, so a reason named like an Object method ('valueOf') counts as any other.
    refused: Object.create(null) as Record<string, number>,
    delivered: 0,
    bounced: 0,
    complained: 0,
    unsubscribed: 0,
    opened: 0,
    clicked: 0,
  };
  for (const p of pending) if (p.status === 'queued' || p.status === 'deferred') out[p.status] += Number(p.n);
  for (const c of counts) {
    const n = Number(c.n);
    if (c.outcome === 'refused') out.refused[c.reason] = (out.refused[c.reason] ?? 0) + n;
    else if ((OUTCOMES as readonly string[]).includes(c.outcome)) out[c.outcome as (typeof OUTCOMES)[number]] += n;
  }
  for (const k of Object.keys(out.refused)) if (out.refused[k] === 0) delete out.refused[k];
  // What the relay took and no hard bounce came back for. A bounce may arrive for a send of
  // another count (a report long after, a resend); the total never goes below 0.
  out.delivered = Math.max(0, out.sent - out.bounced);
  return out;
}

export function toCampaign(
  row: CampaignsTable,
  names: { message: string | null; segment: string | null },
  counts: CampaignCounts,
): Campaign {
  return {
    id: row.id,
    messageId: row.message_id,
    messageName: names.message,
    segmentId: row.segment_id,
    segmentName: names.segment,
    status: row.status,
    recipients: Number(row.recipients),
    counts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

/** A send as the API shows it: the contact by id, never its address. */
export interface Send {
  id: string;
  messageId: string;
  contactId: string;
  origin: string;
  campaignId: string | null;
  purpose: string;
  status: SendStatus;
  reason: string | null;
  tracked: boolean;
  attempts: number;
  notBefore: string | null;
  queuedAt: string;
  sentAt: string | null;
  updatedAt: string;
}

export function toSend(r: SendsTable): Send {
  return {
    id: r.id,
    messageId: r.message_id,
    contactId: r.contact_id,
    origin: r.origin,
    campaignId: r.campaign_id,
    purpose: r.purpose,
    status: r.status,
    reason: r.reason,
    tracked: Number(r.tracked) === 1,
    attempts: Number(r.attempts),
    notBefore: r.not_before,
    queuedAt: r.queued_at,
    sentAt: r.sent_at,
    updatedAt: r.updated_at,
  };
}
