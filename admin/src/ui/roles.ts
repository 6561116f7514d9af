export type Role = 'admin' | 'marketer' | 'privacy_officer' | 'viewer';

/** The four roles in words, with what each may do: for tables, pickers and the audit log. */
export const ROLES: readonly { value: Role; label: string; description: string }[] = [
  { value: 'admin', label: 'Administrator', description: 'Everything, including users, API keys, settings and the outbox' },
  { value: 'marketer', label: 'Marketer', description: 'Contacts, lists, segments and imports; no data requests or audit log' },
  {
    value: 'privacy_officer',
    label: 'Privacy officer',
    description: 'Consent, data requests, exports, erasure, audit log; reads the rest',
  },
  { value: 'viewer', label: 'Viewer', description: 'Reads contacts, lists, segments and settings; changes nothing' },
];

export const roleName = (role: string | null | undefined): string =>
  ROLES.find((r) => r.value === role)?.label ?? (role ? role.replace(/_/g, ' ') : '—');
