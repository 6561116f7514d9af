export interface ContactsTable {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  company: string | null;
  country: string | null;
  language: string | null;
  /** IANA time zone (quiet hours are kept in it); null: the country's, else the installation's. */
  time_zone: string | null;
  /** YYYY-MM-DD */
  birth_date: string | null;
  is_child: number;
  guardian_id: string | null;
  guardian_consent: number;
  consent_level: number;
  created_at: string;
  updated_at: string;
  /** Custom field columns, `cf_<name>`, added at run time. */
  [customColumn: `cf_${string}`]: string | number | null;
}

/** The address registry: one row per contact, its address's match key (see src/lib/email.ts). */
export interface ContactEmailsTable {
  email_key: string;
  /** 0 for every address written since keys exist; 1, 2, … for contacts that shared a key before. */
  dup: number;
  /** NULL only in an erasure's placeholder, which holds the key inside its transaction and is never committed. */
  contact_id: string | null;
}
