/**
 * The lead form's values (text as typed) and the body the API takes, with the errors the console
 * finds before sending, by the API's paths (/title, /value, /fields/<name>). No React here
 * (form.test.ts).
 */
import type { Lead, LeadField, LeadInput, LeadStatus } from './leads.api.ts';

/** The body the form makes: a create's (with its contact) or a change's (without). */
export type LeadBody = Omit<LeadInput, 'contactId'> & { contactId?: string };

export interface LeadValues {
  contactId: string;
  title: string;
  status: LeadStatus;
  ownerId: string;
  value: string;
  fields: Record<string, string>;
}

const asText = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

export function valuesOf(lead: Lead | undefined, fields: readonly LeadField[], contactId = ''): LeadValues {
  return {
    contactId: lead?.contactId ?? contactId,
    title: lead?.title ?? '',
    status: lead?.status ?? 'open',
    ownerId: lead?.ownerId ?? '',
    value: asText(lead?.value),
    fields: Object.fromEntries(fields.map((f) => [f.name, asText(lead?.fields?.[f.name])])),
  };
}

/** A custom field's typed value from its input, or an error in words. */
export function typedField(f: LeadField, raw: string): { value: string | number | boolean | null } | { error: string } {
  if (raw.trim() === '') return { value: null };
  if (f.type === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) ? { value: n } : { error: 'Enter a number, such as 12 or 4.5' };
  }
  if (f.type === 'boolean') return raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { error: 'Choose yes or no' };
  if (f.type === 'date') return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? { value: raw } : { error: 'Enter a date' };
  if (f.type === 'datetime')
    return Number.isNaN(Date.parse(raw)) ? { error: 'Enter a date ' + 'and time' } : { value: new Date(raw).toISOString() };
  return { value: raw };
}

/**
 * The body for POST (no `lead`) or PATCH: every field given (a PATCH sends what the form shows);
 * or the errors by path when something cannot be sent as typed.
 */
export function leadBody(
  v: LeadValues,
  fields: readonly LeadField[],
  creating: boolean,
): { body: LeadBody } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (creating && !v.contactId) errors['/contactId'] = 'Choose the contact this lead is about: search by email address.';
  if (!v.title.trim()) errors['/title'] = 'Give the lead a title, such as “50 seats for the spring”.';
  let value: number | null = null;
  if (v.value.trim() !== '') {
    const n = Number(v.value.replace(/\s/g, ''));
    if (Number.isFinite(n)) value = n;
    else errors['/value'] = 'Enter a number, such as 12000 or 4.5, or leave it empty.';
  }
  const out: Record<string, string | number | boolean | null> = {};
  for (const f of fields) {
    const t = typedField(f, v.fields[f.name] ?? '');
    if ('error' in t) errors[`/fields/${f.name}`] = t.error;
    else out[f.name] = t.value;
  }
  if (Object.keys(errors).length) return { errors };
  return {
    body: {
      ...(creating ? { contactId: v.contactId } : {}),
      title: v.title.trim(),
      status: v.status,
      ownerId: v.ownerId || null,
      value,
      fields: out,
    },
  };
}
