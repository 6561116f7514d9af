export interface ContactsTable {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  company: string | null;
  country: string | null;
  language: string | null;
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

export interface CustomFieldsTable {
  id: string;
  name: string;
  label: string;
  type: string;
  personal: number;
  column_name: string;
  created_at: string;
}
