import type { CustomField, FormField, FormInput } from './forms.api';

/**
 * The builder's working copy of a form: each field with a key of its own (React's, stable across
 * moves) and whether its input name was typed (else it follows the label). Pure functions only:
 * the screen holds the state.
 */
export interface DraftField extends FormField {
  key: string;
  nameTyped: boolean;
}
export interface Draft {
  name: string;
  doubleOptIn: boolean;
  origins: string;
  fields: DraftField[];
}

let next = 0;
const key = () => `f${++next}`;

/** The contact fields a form may fill besides email (the API's PROFILE_MAPS), in words. */
export const PROFILE_MAPS: readonly { value: string; label: string }[] = [
  { value: 'firstName', label: 'First name' },
  { value: 'lastName', label: 'Last name' },
  { value: 'phone', label: 'Phone' },
  { value: 'company', label: 'Company' },
  { value: 'country', label: 'Country' },
  { value: 'language', label: 'Language' },
  { value: 'timeZone', label: 'Time zone' },
  { value: 'birthDate', label: 'Birth date' },
];

export const INPUT_TYPES: readonly { value: NonNullable<FormField['type']>; label: string }[] = [
  { value: 'text', label: 'Text, one line' },
  { value: 'textarea', label: 'Text, several lines' },
  { value: 'email', label: 'Email address' },
  { value: 'number', label: 'Number' },
  { value: 'date', label: 'Date' },
  { value: 'checkbox', label: 'Tick box' },
  { value: 'select', label: 'Drop-down list' },
  { value: 'radio', label: 'One of several (radio buttons)' },
];

/** What a field may fill, in words: email, the contact's fields, custom fields, consent level, lists. */
export function mapOptions(custom: readonly CustomField[]): { group: string; items: { value: string; label: string }[] }[] {
  return [
    { group: 'The contact', items: [{ value: 'email', label: 'Email address' }, ...PROFILE_MAPS] },
    ...(custom.length ? [{ group: 'Custom fields', items: custom.map((f) => ({ value: `custom.${f.name}`, label: f.label })) }] : []),
    {
      group: 'Consent and lists',
      items: [
        { value: 'consentLevel', label: 'Consent level' },
        { value: 'lists', label: 'Lists' },
      ],
    },
  ];
}

/** An HTML input name from a label: "First name" → "first_name" (a letter first; letters, digits, _ and -). */
export function nameFromLabel(label: string): string {
  const n = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 64)
    .replace(/_+$/, '');
  return n === '' || n === 'website' ? 'field' : n;
}

/** `base`, or `base_2`, `base_3`…: the first not taken by another field. */
export function uniqueName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) {
    const n = `${base.slice(0, 60)}_${i}`;
    if (!taken.includes(n)) return n;
  }
}

export function emailField(): DraftField {
  return { key: key(), nameTyped: false, name: 'email', label: 'Email address', maps: 'email', type: 'email', required: true };
}

/** A new field at the end: one line of text for the contact's first free profile field. */
export function newField(fields: readonly DraftField[]): DraftField {
  const used = new Set(fields.map((f) => f.maps));
  const free = PROFILE_MAPS.find((m) => !used.has(m.value)) ?? PROFILE_MAPS[0]!;
  return {
    key: key(),
    nameTyped: false,
    label: free.label,
    name: uniqueName(
      nameFromLabel(free.label),
      fields.map((f) => f.name),
    ),
    maps: free.value,
    type: 'text',
    required: false,
  };
}

/** What a field becomes when it is made to fill something else: the input that suits it. */
export function remap(f: DraftField, maps: string): DraftField {
  const { levels: _l, listIds: _i, choices: _c, ...rest } = f;
  if (maps === 'consentLevel') return { ...rest, maps, type: 'radio', levels: [] };
  if (maps === 'lists') return { ...rest, maps, type: 'checkbox', listIds: [] };
  if (maps === 'email') return { ...rest, maps, type: 'email', required: true };
  // Leaving consent or lists: their radio or tick boxes do not suit a contact field.
  const special = f.maps === 'consentLevel' || f.maps === 'lists' || f.maps === 'email';
  return { ...rest, maps, type: special ? 'text' : (f.type ?? 'text'), ...(f.choices ? { choices: f.choices } : {}) };
}

/** Moves item i by `by` places (−1 up, +1 down); out of range changes nothing. */
export function move<T>(items: readonly T[], i: number, by: -1 | 1): T[] {
  const j = i + by;
  if (i < 0 || j < 0 || i >= items.length || j >= items.length) return [...items];
  const out = [...items];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/**
 * The allowed origins typed one per line: each as the API keeps it (scheme, host, port), or why
 * a line is not one. An empty line is skipped.
 */
export function readOrigins(text: string): { origins: string[]; problems: string[] } {
  const origins: string[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let u: URL | null = null;
    try {
      u = new URL(line);
    } catch {
      u = null;
    }
    const bare = u && (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    if (!u || !bare || line.replace(/\/$/, '').toLowerCase() !== u.origin.toLowerCase())
      problems.push(`Line ${i + 1}: “${line.slice(0, 80)}” is not an origin. Give the scheme and host only, such as https://shop.example`);
    else if (!origins.includes(u.origin.toLowerCase())) origins.push(u.origin.toLowerCase());
  });
  return { origins, problems };
}

export function toDraft(f?: { name: string; doubleOptIn: boolean; allowedOrigins: string[]; fields: FormField[] }): Draft {
  if (!f) return { name: '', doubleOptIn: true, origins: '', fields: [emailField()] };
  return {
    name: f.name,
    doubleOptIn: f.doubleOptIn,
    origins: f.allowedOrigins.join('\n'),
    fields: f.fields.map((x) => ({ ...x, key: key(), nameTyped: true })),
  };
}

/** The body the API takes: empty optional settings left out, and only what each kind of field carries. */
export function toInput(d: Draft): FormInput {
  return {
    name: d.name.trim(),
    doubleOptIn: d.doubleOptIn,
    allowedOrigins: readOrigins(d.origins).origins,
    fields: d.fields.map(({ key: _k, nameTyped: _n, ...f }) => {
      const out: FormField = { name: f.name.trim(), label: f.label, maps: f.maps, required: f.maps === 'email' ? true : !!f.required };
      if (f.type) out.type = f.type;
      if (f.maxLength) out.maxLength = f.maxLength;
      if (f.pattern?.trim()) out.pattern = f.pattern.trim();
      const choices = (f.choices ?? []).map((c) => c.trim()).filter(Boolean);
      if (choices.length && f.maps !== 'consentLevel' && f.maps !== 'lists' && (f.type === 'select' || f.type === 'radio'))
        out.choices = choices;
      if (f.maps === 'consentLevel') out.levels = f.levels ?? [];
      if (f.maps === 'lists') out.listIds = f.listIds ?? [];
      return out;
    }),
  };
}

/** The API's `form_invalid` details by path (`/fields/2/label` → its message). */
export function problemsByPath(details: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const list = Array.isArray(details) ? details : details && typeof details === 'object' ? [details] : [];
  for (const d of list as { path?: unknown; message?: unknown }[])
    if (typeof d.path === 'string' && typeof d.message === 'string' && !out.has(d.path)) out.set(d.path, d.message);
  return out;
}

// The schema's own messages (ajv) in plain words for the few a builder meets; the service's, capitalised.
export function plain(m: string): string {
  if (/fewer than 1 characters|must have required property/.test(m)) return 'Fill this in';
  const most = /more than (\d+) characters/.exec(m);
  if (most) return `At most ${most[1]} characters`;
  return m.charAt(0).toUpperCase() + m.slice(1);
}
