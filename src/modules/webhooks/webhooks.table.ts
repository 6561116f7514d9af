export interface WebhooksTable {
  id: string;
  url: string;
  description: string | null;
  /** JSON array of the event types subscribed. */
  events: string;
  /** The signing key, shown once at creation. */
  secret: string;
  /** 1: payloads carry the contact's current values; 0 (default): ids and field names only. */
  include_personal_data: number;
  status: 'active' | 'disabled';
  /** Failed attempts in a row; a success resets it, reaching the limit disables the webhook. */
  consecutive_failures: number;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  /** The job attempt this row records (1 for the first). */
  attempt: number;
  status: 'succeeded' | 'failed' | 'skipped';
  /** The receiver's HTTP status, when it answered. */
  response_status: number | null;
  /** A fixed code (timeout, http_status, webhook_target_refused…), never text from the receiver. */
  error: string | null;
  duration_ms: number;
  created_at: string;
}
