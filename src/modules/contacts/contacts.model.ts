import { isValidEmail, normaliseEmail } from '../../lib/email.ts';
import { canonicalTimeZone, isTimeZone } from '../../lib/time-zones.ts';
import { isChild } from '../consent/module.ts';
import { isDate, readValue, storeValue, type CustomField, type FieldValue } from './custom-fields.model.ts';
import type { ContactsTable } from '../contact-records/module.ts';

export interface Contact {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  company: string | null;
  country: string | null;
  language: string | null;
  /** IANA time zone (e.g. Europe/Paris): the recipient's quiet hours are kept in it. */
  timeZone: string | null;
  birthDate: string | null;
  /** Flagged as a child, or younger than the majority age by birth date. */
  isChild: boolean;
  guardianId: string | null;
  guardianConsent: boolean;
  consentLevel: number;
  customFields: Record<string, FieldValue>;
  createdAt: string;
  updatedAt: string;
}

/** The profile fields a caller may write (consent goes through the ledger, not here). */
export interface ContactInput {
  email?: string;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  company?: string | null;
  country?: string | null;
  language?: string | null;
  timeZone?: string | null;
  birthDate?: string | null;
  isChild?: boolean;
  guardianId?: string | null;
  customFields?: Record<string, unknown>;
}

export const PROFILE_COLUMNS = {
  firstName: 'first_name',
  lastName: 'last_name',
  phone: 'phone',
  company: 'company',
  country: 'country',
  language: 'language',
  timeZone: 'time_zone',
  birthDate: 'birth_date',
} as const;

export function toContact(r: ContactsTable, fields: CustomField[], childCutoff: string): Contact {
  const customFields: Record<string, FieldValue> = {};
  for (const f of fields) customFields[f.name] = readValue(f, r[f.column as `cf_${string}`]);
  return {
    id: r.id,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.phone,
    company: r.company,
    country: r.country,
    language: r.language,
    timeZone: r.time_zone,
    birthDate: r.birth_date,
    isChild: isChild({ isChildFlag: r.is_child === 1, birthDate: r.birth_date }, childCutoff),
    guardianId: r.guardian_id,
    guardianConsent: r.guardian_consent === 1,
    consentLevel: r.consent_level,
    customFields,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

type Problem = { path: string; message: string };

const PHONE = /^\+?[0-9 ()./-]{3,32}$/;
const COUNTRY = /^[A-Z]{2}$/;
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** A country code in its canonical case (ISO 3166-1 writes them upper case): `de` is DE. */
export const canonicalCountry = (code: string): string => code.trim().toUpperCase();

/**
 * A language tag in the case BCP 47 recommends: language lower case, a script title case, a
 * region upper case, anything else lower case (`PT-br` is pt-BR, `zh-hant-tw` zh-Hant-TW).
 * Tags compare without regard to case, so this changes no meaning.
 */
export function canonicalLanguage(tag: string): string {
  return tag
    .trim()
    .split('-')
    .map((sub, i) =>
      i === 0
        ? sub.toLowerCase()
        : /^[A-Za-z]{2}$/.test(sub)
          ? sub.toUpperCase()
          : /^[A-Za-z]{4}$/.test(sub)
            ? sub[0]!.toUpperCase() + sub.slice(1).toLowerCase()
            : sub.toLowerCase(),
    )
    .join('-');
}

/** Field rules shared by the API, imports and forms; returns every problem at once. */
function checkProfile(input: ContactInput, today: string): Problem[] {
  const p: Problem[] = [];
  if (input.email !== undefined && !isValidEmail(input.email)) p.push({ path: '/email', message: 'not a valid email address' });
  for (const k of ['firstName', 'lastName', 'company'] as const) {
    const v = input[k];
    if (typeof v === 'string' && (v.length > 200 || /[\u0000-\u001f\u007f]/.test(v)))
      p.push({ path: `/${k}`, message: 'at most 200 characters, no control characters' });
  }
  if (typeof input.phone === 'string' && !PHONE.test(input.phone))
    p.push({ path: '/phone', message: 'digits, spaces and + ( ) . / - only, 3 to 32 characters' });
  if (typeof input.country === 'string' && !COUNTRY.test(input.country))
    p.push({ path: '/country', message: 'an ISO 3166-1 alpha-2 code such as DE' });
  if (typeof input.language === 'string' && !LANGUAGE.test(input.language))
    p.push({ path: '/language', message: 'a language tag such as de or pt-BR' });
  if (typeof input.timeZone === 'string' && input.timeZone.trim() !== '' && !isTimeZone(input.timeZone))
    p.push({ path: '/timeZone', message: 'an IANA time zone such as Europe/Paris' });
  if (typeof input.birthDate === 'string') {
    if (!isDate(input.birthDate)) p.push({ path: '/birthDate', message: 'a date YYYY-MM-DD' });
    else if (input.birthDate > today) p.push({ path: '/birthDate', message: 'lies in the future' });
    else if (input.birthDate < '1900-01-01') p.push({ path: '/birthDate', message: 'before 1900' });
  }
  return p;
}

const PROFILE = Object.entries(PROFILE_COLUMNS) as [keyof typeof PROFILE_COLUMNS, string][];

/**
 * Input to column values by the contacts rules (checkProfile judges, storeValue converts
 * custom fields), collecting every problem. Everything but the guardian link, which needs the
 * database: the API adds it, an import cannot set it. Synchronous on purpose: an import runs
 * it for each of a million rows. The email is normalised, in `set.email`.
 */
export function profileColumns(
  input: ContactInput,
  fields: ReadonlyMap<string, CustomField>,
  today: string,
): { set: Record<string, unknown>; problems: Problem[] } {
  const email = input.email === undefined ? undefined : normaliseEmail(input.email);
  // Codes in any case are accepted and stored canonical (checked in that form).
  if (typeof input.country === 'string') input = { ...input, country: canonicalCountry(input.country) };
  if (typeof input.language === 'string') input = { ...input, language: canonicalLanguage(input.language) };
  if (typeof input.timeZone === 'string') input = { ...input, timeZone: canonicalTimeZone(input.timeZone.trim()) ?? input.timeZone };
  const problems = checkProfile(email === undefined ? input : { ...input, email }, today);
  const set: Record<string, unknown> = {};
  if (email !== undefined) set.email = email;
  for (const [k, column] of PROFILE) {
    const v = input[k];
    if (v !== undefined) set[column] = typeof v === 'string' && v.trim() === '' ? null : typeof v === 'string' ? v.trim() : v;
  }
  if (input.isChild !== undefined) set.is_child = input.isChild ? 1 : 0;
  if (input.customFields === undefined) return { set, problems };
  for (const [name, value] of Object.entries(input.customFields)) {
    const f = fields.get(name);
    if (!f) {
      problems.push({ path: `/customFields/${name}`, message: 'no such custom field' });
      continue;
    }
    const r = storeValue(f, value);
    if (r.ok) set[f.column] = r.value;
    else problems.push({ path: `/customFields/${name}`, message: r.message });
  }
  return { set, problems };
}
