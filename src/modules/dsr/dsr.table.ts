export interface RequestsTable {
  id: string;
  type: string;
  email: string | null;
  email_hmac: string;
  contact_id: string | null;
  status: string;
  channel: string;
  owner_id: string | null;
  received_at: string;
  /** YYYY-MM-DD in the installation's time zone. */
  deadline: string;
  extended_at: string | null;
  extension_reason: string | null;
  verified_at: string | null;
  completed_at: string | null;
  flagged: number;
  flag_detail: string | null;
  created_at: string;
  updated_at: string;
}

export interface RequestEventsTable {
  id: string;
  request_id: string;
  at: string;
  status: string;
  actor_type: string;
  actor_id: string | null;
  note: string | null;
}

export interface TasksTable {
  id: string;
  request_id: string | null;
  contact_id: string | null;
  type: string;
  title: string;
  status: string;
  assignee_id: string | null;
  due_date: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  /** Residue tasks: the erasure receipt, where (`table.column`, `file:NAME`, …) and which row; never the value. */
  receipt_id: string | null;
  location: string | null;
  row_id: string | null;
}

export interface ErasureReceiptsTable {
  id: string;
  request_id: string | null;
  at: string;
  actor_type: string;
  actor_id: string | null;
  /** JSON: { table: rowsAffected } */
  tables: string;
  /** JSON: residue-scan hits ("table.column", "file:NAME"), [] when clean; null until the scan after the commit has run. */
  residue: string | null;
  /** pending | purged | failed: whether the person's bytes are out of the database's live files (null on receipts made before). */
  storage_status: string | null;
  storage_purged_at: string | null;
  /** What the storage purge did and what was checked, and how; never values. */
  storage_verification: string | null;
}

/** A relation (partition or table) an erasure's storage purge rewrites, per receipt. */
export interface StoragePurgesTable {
  receipt_id: string;
  relation: string;
  due_at: string;
  done_at: string | null;
  outcome: string | null;
}

/** Keyed fingerprints of an erased person's identifiers, until the purge has looked for them in the rewritten pages. */
export interface StoragePurgeTermsTable {
  receipt_id: string;
  length: number;
  prefilter: number;
  digest: string;
}

export interface ExportsTable {
  id: string;
  request_id: string | null;
  /** The normalised address of the person the export is about (the link to them). */
  email: string;
  contact_id: string | null;
  json: string;
  html: string;
  created_at: string;
  expires_at: string;
}
