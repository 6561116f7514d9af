import { call } from '../../api/client';
import { http, type Paged, query } from '../scoring/scoring.api';

/**
 * The leads API as the console uses it (issue 17's contract): written from the contract while the
 * server's routes were built beside it, through the scoring screen's untyped-by-path client.
 */
export type LeadStatus = 'open' | 'qualified' | 'won' | 'lost';
export const LEAD_STATUSES: readonly { value: LeadStatus; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'qualified', label: 'Qualified' },
  { value: 'won', label: 'Won' },
  { value: 'lost', label: 'Lost' },
];
export const statusWords = (s: string | null | undefined): string => LEAD_STATUSES.find((x) => x.value === s)?.label ?? (s || '—');
export const STATUS_COLOR: Record<string, string> = { open: 'blue', qualified: 'grape', won: 'teal', lost: 'gray' };

export interface LeadContact {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
}
export interface Lead {
  id: string;
  contactId: string;
  title: string;
  status: LeadStatus;
  ownerId: string | null;
  value: number | null;
  fields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  contact: LeadContact | null;
}
export interface LeadInput {
  contactId?: string;
  title: string;
  status: LeadStatus;
  ownerId: string | null;
  value: number | null;
  fields: Record<string, unknown>;
}
export type LeadFieldType = 'text' | 'number' | 'boolean' | 'date' | 'datetime';
export interface LeadField {
  id?: string;
  name: string;
  label: string | null;
  type: LeadFieldType | string;
  personal?: boolean;
}

/** A person's name as the lists show it: first and last, or the address. */
export const personName = (c: { email: string; firstName?: string | null; lastName?: string | null } | null | undefined): string =>
  c ? [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email : 'A contact';

const byId = (leadId: string) => ({ path: { id: leadId } });

export const leadsApi = {
  /** Cursor-paged as the other lists (`cursor`, `page.next`); the ranking pages with `after`/`next`. */
  list: async (q: { status?: string; contactId?: string; ownerId?: string; q?: string; after?: string | null; limit?: number }) =>
    (await call(
      http.GET('/api/v1/leads', {
        params: {
          query: query({ status: q.status, contactId: q.contactId, ownerId: q.ownerId, q: q.q, cursor: q.after, limit: q.limit ?? 50 }),
        },
      }),
    )) as Paged<Lead>,
  lead: async (leadId: string) => ((await call(http.GET('/api/v1/leads/{id}', { params: byId(leadId) }))) as { data: Lead }).data,
  create: async (body: LeadInput) => ((await call(http.POST('/api/v1/leads', { body }))) as { data: Lead }).data,
  update: async (leadId: string, body: Omit<LeadInput, 'contactId'>) =>
    ((await call(http.PATCH('/api/v1/leads/{id}', { params: byId(leadId), body }))) as { data: Lead }).data,
  remove: (leadId: string) => call(http.DELETE('/api/v1/leads/{id}', { params: byId(leadId) })),
  fields: async () => ((await call(http.GET('/api/v1/lead-fields'))) as { data: LeadField[] }).data,
};
