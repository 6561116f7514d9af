import { isValidEmail, normaliseEmail } from '../../lib/email.ts';
import { isConsentLevel } from '../../lib/consent-levels.ts';
import { isDate, type CustomField } from '../contacts/module.ts';

/** The contact fields a form field may fill besides `email`, custom fields (`custom.<name>`), `consentLevel` and `lists`. */
export const PROFILE_MAPS = ['firstName', 'lastName', 'phone', 'company', 'country', 'language', 'timeZone', 'birthDate'] as const;
export const INPUT_TYPES = ['text', 'email', 'number', 'date', 'checkbox', 'select', 'radio', 'textarea'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** The honeypot: a field robots fill and people never see. No form field may take its name. */
export const HONEYPOT = 'website';
/** The hidden field of a page served by Assent, proving a post came from the page: no form field may take it either. */
export const PAGE_FORM_FIELD = 'form';
const RESERVED_NAMES = [HONEYPOT, PAGE_FORM_FIELD];
/** A field's HTML name: what the input carries and the submission names it by. */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const DEFAULT_MAX_LENGTH = 2000;
const MAX_PATTERN = 500;

export interface FieldDef {
  name: string;
  label: string;
  maps: string;
  required?: boolean;
  type?: InputType;
  maxLength?: number;
  pattern?: string;
  choices?: string[];
  /** `consentLevel`: the levels offered, each with the notice text shown beside it. */
  levels?: { level: number; notice: string }[];
  /** `lists`: the lists offered. */
  listIds?: string[];
}

export interface Problem {
  path: string;
  message: string;
}

/**
 * Checks a form's field definitions (what staff write): every problem with its path. Lists and
 * custom fields are checked against those that exist (`knownLists`, `customFields`).
 */
export function checkFields(fields: FieldDef[], customFields: readonly CustomField[], knownLists: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const names = new Set<string>();
  const custom = new Set(customFields.map((f) => f.name));
  let emails = 0;
  let levels = 0;
  fields.forEach((f, i) => {
    const at = (p: string) => `/fields/${i}${p}`;
    if (!FIELD_NAME.test(f.name) || RESERVED_NAMES.includes(f.name))
      problems.push({
        path: at('/name'),
        message: `a name of letters, digits, _ and -, starting with a letter, not ${RESERVED_NAMES.map((n) => `"${n}"`).join(' or ')}`,
      });
    else if (names.has(f.name)) problems.push({ path: at('/name'), message: 'another field has this name' });
    names.add(f.name);
    if (!f.label.trim()) problems.push({ path: at('/label'), message: 'a field needs a label' });
    if (f.pattern !== undefined) {
      if (f.pattern.length > MAX_PATTERN) problems.push({ path: at('/pattern'), message: `at most ${MAX_PATTERN} characters` });
      else if (!compiles(f.pattern)) problems.push({ path: at('/pattern'), message: 'not a valid regular expression' });
    }
    if ((f.type === 'select' || f.type === 'radio') && !f.choices?.length && f.maps !== 'consentLevel' && f.maps !== 'lists')
      problems.push({ path: at('/choices'), message: 'a select or radio field needs choices' });
    if (f.choices && new Set(f.choices).size !== f.choices.length) problems.push({ path: at('/choices'), message: 'choices repeat' });
    if (f.maps === 'email') {
      emails++;
      if (f.required !== true) problems.push({ path: at('/required'), message: 'the email field is required' });
    } else if (f.maps === 'consentLevel') {
      levels++;
      if (!f.levels?.length) problems.push({ path: at('/levels'), message: 'a consent field offers at least one level' });
      const seen = new Set<number>();
      f.levels?.forEach((l, j) => {
        if (!isConsentLevel(l.level) || seen.has(l.level))
          problems.push({ path: at(`/levels/${j}/level`), message: 'a level 0 to 5, once' });
        seen.add(l.level);
        if (!l.notice.trim()) problems.push({ path: at(`/levels/${j}/notice`), message: 'each level needs its notice text' });
      });
    } else if (f.maps === 'lists') {
      if (!f.listIds?.length) problems.push({ path: at('/listIds'), message: 'a lists field offers at least one list' });
      f.listIds?.forEach((id, j) => {
        if (!knownLists.has(id)) problems.push({ path: at(`/listIds/${j}`), message: 'no such list' });
      });
      if (f.listIds && new Set(f.listIds).size !== f.listIds.length) problems.push({ path: at('/listIds'), message: 'lists repeat' });
    } else if (f.maps.startsWith('custom.')) {
      if (!custom.has(f.maps.slice(7))) problems.push({ path: at('/maps'), message: 'no such custom field' });
    } else if (!(PROFILE_MAPS as readonly string[]).includes(f.maps))
      problems.push({
        path: at('/maps'),
        message: `a contact field (email, ${PROFILE_MAPS.join(', ')}, custom.<name>), consentLevel or lists`,
      });
    if (f.maps !== 'consentLevel' && f.levels !== undefined) problems.push({ path: at('/levels'), message: 'only for consentLevel' });
    if (f.maps !== 'lists' && f.listIds !== undefined) problems.push({ path: at('/listIds'), message: 'only for lists' });
  });
  if (emails !== 1) problems.push({ path: '/fields', message: 'exactly one field maps email' });
  if (levels > 1) problems.push({ path: '/fields', message: 'at most one field maps consentLevel' });
  return problems;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** What one submission asks for, once every field is valid. */
export interface Wanted {
  email: string;
  /** Contact fields to set (profile names and `customFields`), only those posted non-empty. */
  profile: Record<string, string | number | boolean>;
  customFields: Record<string, string | number | boolean>;
  /** The level chosen and the notice shown beside it; null when none was chosen. */
  level: { level: number; notice: string } | null;
  /** The lists chosen, each with the label shown beside the choice. */
  lists: { listId: string; notice: string }[];
}

/** A posted value: text, or repeated text (checkboxes), or JSON scalars. */
export type Posted = Record<string, unknown>;

const TRUE = new Set(['on', 'true', '1', 'yes']);

/**
 * Validates a submission against the version's fields: required, type, length, pattern,
 * choices; each problem named by the field's name. Unknown posted names are ignored (a page
 * may carry its own hidden inputs), so nothing a form does not declare reaches a contact.
 */
export function readSubmission(fields: FieldDef[], posted: Posted, customFields: readonly CustomField[]): Wanted | Problem[] {
  const problems: Problem[] = [];
  const byName = new Map(customFields.map((f) => [f.name, f]));
  const out: Wanted = { email: '', profile: {}, customFields: {}, level: null, lists: [] };
  for (const f of fields) {
    const raw = posted[f.name];
    const bad = (message: string) => problems.push({ path: `/${f.name}`, message });
    if (f.maps === 'lists') {
      const chosen = texts(raw);
      if (chosen === null) {
        bad('a list id, or several');
        continue;
      }
      if (f.required && chosen.length === 0) bad('choose at least one');
      for (const id of chosen) {
        if (!f.listIds?.includes(id)) bad('not one of the lists offered');
        else if (!out.lists.some((l) => l.listId === id)) out.lists.push({ listId: id, notice: f.label });
      }
      continue;
    }
    const value = scalar(raw);
    if (value === null) {
      bad('one value');
      continue;
    }
    if (f.type === 'checkbox') {
      const on = value !== '' && TRUE.has(value.toLowerCase());
      if (f.required && !on) bad('required');
      if (f.maps.startsWith('custom.')) {
        if (value !== '') out.customFields[f.maps.slice(7)] = on;
      }
      continue;
    }
    if (value === '') {
      if (f.required) bad('required');
      continue;
    }
    if (value.length > (f.maxLength ?? DEFAULT_MAX_LENGTH)) {
      bad(`at most ${f.maxLength ?? DEFAULT_MAX_LENGTH} characters`);
      continue;
    }
    if (f.pattern !== undefined && !new RegExp(`^(?:${f.pattern})$`, 'u').test(value)) {
      bad('not in the expected form');
      continue;
    }
    if (f.choices?.length && !f.choices.includes(value)) {
      bad('not one of the choices');
      continue;
    }
    if (f.maps === 'consentLevel') {
      const l = f.levels?.find((x) => String(x.level) === value);
      if (!l) bad('not one of the levels offered');
      else out.level = { level: l.level, notice: l.notice };
      continue;
    }
    if (f.maps === 'email' || f.type === 'email') {
      if (!isValidEmail(normaliseEmail(value))) {
        bad('not an email address');
        continue;
      }
    }
    if (f.type === 'number' && !Number.isFinite(Number(value))) {
      bad('not a number');
      continue;
    }
    if (f.type === 'date' && !isDate(value)) {
      bad('not a date (YYYY-MM-DD)');
      continue;
    }
    if (f.maps === 'email') out.email = normaliseEmail(value);
    else if (f.maps.startsWith('custom.')) {
      const cf = byName.get(f.maps.slice(7));
      if (!cf) bad('not accepted now');
      else if (cf.type === 'number') {
        if (Number.isFinite(Number(value))) out.customFields[cf.name] = Number(value);
        else bad('not a number');
      } else if (cf.type === 'boolean') out.customFields[cf.name] = TRUE.has(value.toLowerCase());
      else if (cf.type === 'date' && !isDate(value)) bad('not a date (YYYY-MM-DD)');
      else out.customFields[cf.name] = value;
    } else out.profile[f.maps] = value;
  }
  return problems.length ? problems : out;
}

/** A posted scalar as text (trimmed), '' when absent; null when it is not one value. */
function scalar(v: unknown): string | null {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'true' : '';
  return null;
}

/** Posted list choices: one text or several; null for anything else. */
function texts(v: unknown): string[] | null {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return [v.trim()];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((x) => (x as string).trim()).filter(Boolean);
  return null;
}
