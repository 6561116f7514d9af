export interface CustomEntitiesTable {
  id: string;
  name: string;
  label: string;
  table_name: string;
  linked: number;
  /** `delete` (the person's rows go) or `anonymise` (personal fields nulled, link cleared). */
  erase: string;
  /** ISO-8601 duration counted from created_at, or null. */
  retention: string | null;
  created_at: string;
}

export interface CustomEntityFieldsTable {
  id: string;
  entity_id: string;
  name: string;
  type: string;
  personal: number;
  column_name: string;
}
