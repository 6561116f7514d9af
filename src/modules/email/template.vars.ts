/**
 * What a message template can name. One shape for the subject, the HTML and the text:
 *
 * - `contact.<field>`: the contact's fields as the API names them (`contact.firstName`,
 *   `contact.email`, …, see CONTACT_FIELDS), and every custom field both as
 *   `contact.customFields.<name>` (the API's own shape) and, when its name is not a built-in
 *   field's, as `contact.<name>`. A value the contact lacks is empty (null), never an error.
 * - `subscription_center_url`, `unsubscribe_url`, `view_in_browser_url`, `forward_url`: this send's links
 *   (`forward_url`: the forward-to-a-friend page, for campaign messages; src/modules/forward).
 *
 * Nothing else: consent state, guardian links and ids of other records are not content.
 */

/** The built-in contact fields a template may name, as the contacts API names them. */
export const CONTACT_FIELDS = ['id', 'email', 'firstName', 'lastName', 'phone', 'company', 'country', 'language', 'birthDate'] as const;

export const LINK_VARIABLES = ['subscription_center_url', 'unsubscribe_url', 'view_in_browser_url', 'forward_url'] as const;

export type FieldValue = string | number | boolean | null;

export interface TemplateField {
  name: string;
  type: 'text' | 'number' | 'boolean' | 'date';
}

/** A contact as the contacts API gives it (the fields a template reads; more are ignored). */
export interface ContactLike {
  id: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  company?: string | null;
  country?: string | null;
  language?: string | null;
  birthDate?: string | null;
  customFields?: Record<string, FieldValue>;
}

export type ContactVars = Record<string, FieldValue | Record<string, FieldValue>>;

export interface TemplateVars {
  contact: ContactVars;
  subscription_center_url: string;
  unsubscribe_url: string;
  view_in_browser_url: string;
  forward_url: string;
}

const BUILT_IN: ReadonlySet<string> = new Set([...CONTACT_FIELDS, 'customFields']);

/**
 * The `contact` variable of a template, from the contact. Built from own properties only, on
 * an object without a prototype chain worth reading (the engine reads own properties only too),
 * so a custom field named like an Object method is just a field.
 */
export function contactVars(c: ContactLike, fields: readonly TemplateField[]): ContactVars {
  const custom: Record<string, FieldValue> = {};
  const given = c.customFields ?? {};
  // Own values only: a field named `constructor` must not read Object's.
  for (const f of fields) custom[f.name] = Object.hasOwn(given, f.name) ? (given[f.name] ?? null) : null;
  const vars: ContactVars = {};
  for (const f of fields) if (!BUILT_IN.has(f.name)) vars[f.name] = custom[f.name] ?? null;
  for (const k of CONTACT_FIELDS) vars[k] = (c[k] as FieldValue | undefined) ?? null;
  vars.customFields = custom;
  return vars;
}

const SAMPLE_VALUES: Record<TemplateField['type'], FieldValue> = {
  text: 'Sample text',
  number: 42,
  boolean: true,
  date: '1990-01-31',
};

/**
 * A contact that is no real person, with every field filled (or, `empty`, every optional field
 * null): templates are checked against both, and test sends without a chosen contact use the
 * filled one. Reserved names and the `example.com` domain (RFC 2606).
 */
export function sampleContact(fields: readonly TemplateField[], empty = false): ContactLike {
  const customFields: Record<string, FieldValue> = {};
  for (const f of fields) customFields[f.name] = empty ? null : SAMPLE_VALUES[f.type];
  if (empty) return { id: '00000000-0000-4000-8000-000000000000', email: 'sample@example.com', customFields };
  return {
    id: '00000000-0000-4000-8000-000000000000',
    email: 'sample@example.com',
    firstName: 'Sample',
    lastName: 'Contact',
    phone: '+49 30 1234567',
    company: 'Example Ltd',
    country: 'DE',
    language: 'en',
    birthDate: '1990-01-31',
    customFields,
  };
}

/** Which names a template may use under `contact.` (for the compile-time check). */
export function knownContactNames(fields: readonly TemplateField[]): { top: ReadonlySet<string>; custom: ReadonlySet<string> } {
  const custom = new Set(fields.map((f) => f.name));
  return { top: new Set([...BUILT_IN, ...custom]), custom };
}
