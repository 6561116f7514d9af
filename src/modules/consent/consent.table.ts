export interface NoticesTable {
  id: string;
  hash: string;
  text: string;
  created_at: string;
}

export interface ConsentLedgerTable {
  id: string;
  seq: number;
  contact_id: string | null;
  kind: string;
  list_id: string | null;
  old_value: number | null;
  new_value: number | null;
  source: string | null;
  actor_type: string | null;
  actor_id: string | null;
  notice_hash: string | null;
  evidence_ip: string | null;
  evidence_ua: string | null;
  nonce: string | null;
  at: string;
  content_hash: string;
  prev_hash: string;
  entry_hash: string;
  erased_at: string | null;
}

export interface LedgerHeadTable {
  id: number;
  seq: number;
  entry_hash: string;
  updated_at: string;
}
