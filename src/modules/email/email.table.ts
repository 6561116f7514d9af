/** A message: what is sent, for which purpose, from whom. Subject, HTML and text are Liquid templates. */
export interface MessagesTable {
  id: string;
  name: string;
  /** A purpose of the installation (settings `purposes`), never `requested`. */
  purpose: string;
  /** A newsletter of this list: leaving it is what its unsubscribe link does. */
  list_id: string | null;
  from_name: string | null;
  from_email: string | null;
  reply_to: string | null;
  subject: string;
  html: string;
  /** Null: generated from the HTML. */
  text: string | null;
  /** The block editor's document (JSON text): design content, not personal data. */
  blocks: string | null;
  created_at: string;
  updated_at: string;
}

export type CampaignStatus = 'preparing' | 'sending' | 'paused' | 'cancelled' | 'done';

/** A message sent to a segment's members as they were when it started. */
export interface CampaignsTable {
  id: string;
  message_id: string;
  segment_id: string;
  status: CampaignStatus;
  /** Fixed when the recipients are: how many sends the campaign made. */
  recipients: number;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}

/** Anonymous totals per campaign, outcome and reason: they hold no contact and survive erasure. */
export interface CampaignCountsTable {
  campaign_id: string;
  outcome: string;
  /** '' when the outcome has none (the key cannot be null). */
  reason: string;
  n: number;
}

export type SendStatus = 'queued' | 'deferred' | 'sent' | 'refused' | 'failed' | 'cancelled';

/** One message to one contact for one origin: the row that makes a repeated run harmless. */
export interface SendsTable {
  id: string;
  message_id: string;
  contact_id: string;
  /** `campaign:<id>`, `direct:<key>`, later `journey:<step>`. */
  origin: string;
  campaign_id: string | null;
  /** The message's purpose when the send was made: frequency caps count by it. */
  purpose: string;
  status: SendStatus;
  reason: string | null;
  /** 1 when the open pixel and click links were put in (the gate allowed profiling). */
  tracked: number;
  attempts: number;
  /** Deferred until, or the next retry. */
  not_before: string | null;
  /** Our Message-ID header, `<id@domain>`: bounces name it. */
  smtp_message_id: string | null;
  queued_at: string;
  sent_at: string | null;
  updated_at: string;
}

export type BounceKind = 'hard' | 'soft' | 'complaint';

/** A delivery status notification or a feedback report, as received. */
export interface EmailBouncesTable {
  id: string;
  received_at: string;
  kind: BounceKind;
  /** The address it reports (normalised). */
  address: string;
  contact_id: string | null;
  send_id: string | null;
  /** The DSN status (`5.1.1`) or the feedback type (`abuse`). */
  status: string;
  source: 'smtp' | 'api';
}

/** Addresses that bounced hard: nothing more is sent to them. */
export interface UndeliverableAddressesTable {
  /** The address's match key (lib/email.ts). */
  email_key: string;
  address: string;
  since: string;
  bounce_id: string | null;
}
