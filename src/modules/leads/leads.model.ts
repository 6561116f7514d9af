import { readValue, storeValue, type CustomField, type FieldValue } from '../contacts/module.ts';
import type { LeadsTable } from './leads.table.ts';

export const LEAD_STATUSES = ['open', 'qualified', 'won', 'lost'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
export const TITLE_MAX = 200;

/** A lead as the API shows it, with a summary of its contact so a table needs no call per row. */
export interface Lead {
  id: string;
  contactId: string;
  title: string;
  status: LeadStatus;
  ownerId: string | null;
  value: number | null;
  fields: Record<string, FieldValue>;
  createdAt: string;
  updatedAt: string;
  contact: { id: string; email: string; firstName: string | null; lastName: string | null };
}

export interface LeadInput {
  contactId?: string;
  title?: string;
  status?: string;
  ownerId?: string | null;
  value?: number | null;
  fields?: Record<string, unknown>;
}

/** A lead's row as read: its columns (custom ones included) and its contact's summary. */
export type LeadRow = LeadsTable &
  Record<string, unknown> & { contact_email: string; contact_first_name: string | null; contact_last_name: string | null };

type Problem = { path: string; message: string };

/**
 * Column values from a create's or patch's input (all but the contact and owner, which need the
 * database); every problem is collected so the caller fixes them at once.
 */
export function leadColumns(input: LeadInput, fields: readonly CustomField[]): { set: Record<string, unknown>; problems: Problem[] } {
  const set: Record<string, unknown> = {};
  const problems: Problem[] = [];
  if (input.title !== undefined) {
    const title = typeof input.title === 'string' ? input.title.trim() : '';
    // Counted in characters, not UTF-16 units: a title of emoji is as long as it looks.
    const n = [...title].length;
    if (n === 0 || n > TITLE_MAX) problems.push({ path: '/title', message: `1 to ${TITLE_MAX} characters, not only spaces` });
    else set.title = title;
  }
  if (input.status !== undefined) {
    if ((LEAD_STATUSES as readonly string[]).includes(input.status)) set.status = input.status;
    else problems.push({ path: '/status', message: `one of ${LEAD_STATUSES.join(', ')}` });
  }
  if (input.ownerId !== undefined) set.owner_id = input.ownerId;
  if (input.value !== undefined) {
    if (input.value === null || (typeof input.value === 'number' && Number.isFinite(input.value))) set.value = input.value;
    else problems.push({ path: '/value', message: 'a finite number or null' });
  }
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const [name, v] of Object.entries(input.fields ?? {})) {
    const f = byName.get(name);
    if (!f) {
      problems.push({ path: `/fields/${name}`, message: 'no such lead field' });
      continue;
    }
    const r = storeValue(f, v);
    if (r.ok) set[f.column] = r.value;
    else problems.push({ path: `/fields/${name}`, message: r.message });
  }
  return { set, problems };
}

export function toLead(r: LeadRow, fields: readonly CustomField[]): Lead {
  const values: Record<string, FieldValue> = {};
  for (const f of fields) values[f.name] = readValue(f, r[f.column]);
  return {
    id: r.id,
    contactId: r.contact_id,
    title: r.title,
    status: r.status as LeadStatus,
    ownerId: r.owner_id,
    value: r.value === null ? null : Number(r.value),
    fields: values,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    contact: { id: r.contact_id, email: r.contact_email, firstName: r.contact_first_name, lastName: r.contact_last_name },
  };
}
