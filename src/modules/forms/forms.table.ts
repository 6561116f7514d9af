export interface FormsTable {
  id: string;
  name: string;
  double_opt_in: number;
  /** JSON array of origins. */
  allowed_origins: string;
  current_version: number;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export interface FormVersionsTable {
  form_id: string;
  version: number;
  /** JSON of the field definitions. */
  fields: string;
  created_at: string;
}

export interface FormSubmissionsTable {
  id: string;
  form_id: string;
  version: number;
  contact_id: string | null;
  created_at: string;
  ip_prefix: string | null;
  user_agent: string | null;
  confirmed_at: string | null;
}

export interface FormConfirmationsTable {
  id: string;
  submission_id: string;
  /** Null until the double opt-in link is mailed (and for a submission waiting for its job). */
  token_hash: string | null;
  email: string;
  /** JSON of the pending changes (fields, level, lists). */
  changes: string;
  created_at: string;
  expires_at: string;
}

/**
 * Anonymous daily counts of a page (views, submissions) or a form (views of pages showing it,
 * submissions however posted): statistics, no person's data.
 */
export interface PageCountersTable {
  /** `page` or `form`. */
  kind: string;
  target_id: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  views: number;
  submissions: number;
}
