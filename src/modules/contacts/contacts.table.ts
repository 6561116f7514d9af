export interface CustomFieldsTable {
  id: string;
  name: string;
  label: string;
  type: string;
  personal: number;
  column_name: string;
  created_at: string;
}
