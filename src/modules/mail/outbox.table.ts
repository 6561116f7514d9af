export interface OutboxTable {
  id: string;
  contact_id: string | null;
  to_address: string;
  from_address: string;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  headers: string;
  purpose: string | null;
  created_at: string;
}
