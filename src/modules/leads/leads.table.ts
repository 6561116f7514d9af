/**
 * A lead: a sales opportunity about one contact (the person). Custom lead fields are real
 * typed columns `cf_<name>` on this table (lead_fields), as custom contact fields are on contacts;
 * they are not in this type, which names the fixed columns only.
 */
export interface LeadsTable {
  id: string;
  contact_id: string;
  title: string;
  /** `open`, `qualified`, `won` or `lost`. */
  status: string;
  /** The user who owns it (sales-ready tasks go to them); null when unowned or the user was removed. */
  owner_id: string | null;
  /** The opportunity's value in the installation's currency; null when not estimated. */
  value: number | null;
  created_at: string;
  updated_at: string;
}

/** A custom lead field's definition; its values live in the column `column_name` (`cf_<name>`) of leads. */
export interface LeadFieldsTable {
  id: string;
  name: string;
  label: string;
  /** `text`, `number`, `boolean` or `date`, as custom contact fields. */
  type: string;
  /** 1 when its values are about the person (erased, exported); 0 for business data (a deal stage code). */
  personal: number;
  column_name: string;
  created_at: string;
}
