// What a column of the file can feed: the fields POST /api/v1/imports knows (its `map` values).

export const IGNORE = '-';

export interface Target {
  /** The value the API's `map` takes. */
  value: string;
  label: string;
  group: 'Contact' | 'Consent' | 'Custom fields';
  /** Decides consent: offered only to roles that may write consent (the API refuses the file otherwise). */
  consent?: boolean;
}

const BUILTIN: Target[] = [
  { value: 'email', label: 'Email', group: 'Contact' },
  { value: 'firstName', label: 'First name', group: 'Contact' },
  { value: 'lastName', label: 'Last name', group: 'Contact' },
  { value: 'phone', label: 'Phone', group: 'Contact' },
  { value: 'company', label: 'Company', group: 'Contact' },
  { value: 'country', label: 'Country', group: 'Contact' },
  { value: 'language', label: 'Language', group: 'Contact' },
  { value: 'timeZone', label: 'Time zone', group: 'Contact' },
  { value: 'consentLevel', label: 'Consent level', group: 'Consent', consent: true },
  { value: 'consentDate', label: 'Consent given on (history)', group: 'Consent', consent: true },
  { value: 'consentSource', label: 'Consent given where (history)', group: 'Consent', consent: true },
  { value: 'consentNotice', label: 'Consent notice text (history)', group: 'Consent', consent: true },
  { value: 'birthDate', label: 'Birth date', group: 'Consent', consent: true },
  { value: 'isChild', label: 'Is a child', group: 'Consent', consent: true },
];

/** Columns an export writes that an import never sets (the API ignores them by name). */
const READ_ONLY = new Set(['id', 'guardianid', 'guardianconsent', 'createdat', 'updatedat', 'consentlevelname', 'lists']);

const squash = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');

/** The fields a column may feed, for this role (consent columns only with consent write). */
export function targetsFor(custom: { name: string; label: string }[], mayWriteConsent: boolean): Target[] {
  return [
    ...BUILTIN.filter((t) => mayWriteConsent || !t.consent),
    ...custom.map((f) => ({ value: `customFields.${f.name}`, label: f.label || f.name, group: 'Custom fields' as const })),
  ];
}

/**
 * The field a column's name suggests, as the API would read it unmapped (case, spaces and _ aside),
 * or a custom field by name or label; "ignore" otherwise, and for a consent column the role may not
 * write (`consentIgnored`).
 */
export function guess(column: string, custom: { name: string; label: string }[], mayWriteConsent: boolean): string {
  const key = squash(column);
  if (key === '' || READ_ONLY.has(key)) return IGNORE;
  if (key === 'e-mail' || key === 'mail' || key === 'emailaddress') return 'email';
  const builtin = BUILTIN.find((t) => t.value.toLowerCase() === key);
  if (builtin) return builtin.consent && !mayWriteConsent ? IGNORE : builtin.value;
  const lower = column
    .trim()
    .toLowerCase()
    .replace(/^customfields\./, '');
  const field = custom.find((f) => f.name === lower || squash(f.label) === key);
  return field ? `customFields.${field.name}` : IGNORE;
}

/** Whether the column's name names a consent field (shown as a note to roles that may not write consent). */
export const namesConsentField = (column: string): boolean => BUILTIN.some((t) => t.consent && t.value.toLowerCase() === squash(column));

/** The API's `map`: every column named, so none is left for the API to refuse as unknown. */
export function mapSpec(header: string[], mapping: string[]): string {
  return header
    .map((h, i) => [h, mapping[i] ?? IGNORE] as const)
    .filter(([h]) => h !== '')
    .map(([h, t]) => `${h}=${t}`)
    .join(',');
}

/** A column name the API's `map` cannot carry (it splits on , and =). */
export const unmappable = (column: string): boolean => /[,=]/.test(column);
