import type { OutboxTable } from './outbox.table.ts';

/** One message to one person, as callers hand it to the mail module. */
export interface MailMessage {
  to: string;
  subject: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  /** Sender; defaults to the relay's `from`, then to the `mailFrom` setting. */
  from?: string;
  contactId?: string;
  /** The processing purpose the message serves; the consent gate checks it before a send. */
  purpose?: string;
}

export type MailTransportKind = 'smtp' | 'outbox';

export interface SendResult {
  id: string;
  transport: MailTransportKind;
  /** The Message-ID the relay accepted (SMTP only). */
  messageId?: string;
}

/**
 * A send under an idempotency key: either this call sent it, or an earlier one with the key
 * did (or began to: `pending` means its process died before the relay answered, and it is not
 * sent again), or decided against it (`skipped`).
 */
export type KeyedSend = { sent: true; result: SendResult } | { sent: false; earlier: 'pending' | 'done' | 'skipped' };

/** The wire shape of an outbox entry (`GET /api/v1/outbox`): exactly these fields. */
export interface OutboxItem {
  id: string;
  to: string;
  subject: string;
  text: string | null;
  html: string | null;
  createdAt: string;
}

export interface OutboxPage {
  items: OutboxItem[];
  /** Cursor for the following page, or null when this is the last one. */
  next: string | null;
  /** How many messages the outbox holds (an estimate when large, on PostgreSQL: src/db/estimate.ts). */
  total: { total: number; isEstimate: boolean };
}

/** An allow-list: headers, sender, contact and purpose stay in the row. */
export function toOutboxItem(row: OutboxTable): OutboxItem {
  return {
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    createdAt: row.created_at,
  };
}
