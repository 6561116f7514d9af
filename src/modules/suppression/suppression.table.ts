export interface SuppressionsTable {
  email_hmac: string;
  reason: string;
  request_id: string | null;
  created_at: string;
}
