export interface SettingsTable {
  key: string;
  /** JSON text of the setting's value. */
  value: string;
  updated_at: string;
}
