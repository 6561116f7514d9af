export interface CustomFieldsTable {
  id: string;
  name: string;
  label: string;
  type: string;
  personal: number;
  column_name: string;
  created_at: string;
}

/** A file waiting for its import job (import_uploads): the decoded text as UTF-8 bytes. */
export interface ImportUploadsTable {
  job_id: string;
  content: Uint8Array;
  created_at: string;
}

/** A line an import job rejected (import_rejects): its number and why, never its cells. */
export interface ImportRejectsTable {
  job_id: string;
  line: number;
  reason: string;
  created_at: string;
}
