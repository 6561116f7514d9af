export interface SideEffectsTable {
  /** The caller's idempotency key: ids and names only, never personal values. */
  key: string;
  /** pending | done | failed | skipped (see effects.ts). */
  status: string;
  created_at: string;
  updated_at: string;
}
