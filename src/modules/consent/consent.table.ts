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
  /** Values that are not small integers (a birth date, a guardian link); version 2 entries. */
  old_text: string | null;
  new_text: string | null;
  /** An erasure record: the seq ranges that erasure made stubs, as JSON `[[from, to], …]`. */
  covers: string | null;
  /**
   * Imported history (migration 0018): when and where another system recorded the consent. The
   * entry's `at` is when it was appended here; these are what the import's file said.
   */
  original_at: string | null;
  original_source: string | null;
  /** Which fields the content hash covers: 1 (before old_text, new_text, covers existed), 2, or 3 (imported history too). */
  hash_version: number;
}

export interface LedgerHeadTable {
  id: number;
  seq: number;
  entry_hash: string;
  updated_at: string;
  /** HMAC of (seq, entry_hash) under the ledger key, which the database never holds; null without a key. */
  mac: string | null;
}
