import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';

/** The leads API's types, from the server's OpenAPI document (schema.d.ts). */
type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer J } } } } ? J : never;
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;

export type Lead = Json<operations['getLeadsById']>['data'];
export type LeadStatus = Lead['status'];
export type LeadField = Json<operations['getLeadFields']>['data'][number];
export type LeadInput = Body<operations['postLeads']>;
export type LeadPatch = Body<operations['patchLeadsById']>;

export const LEAD_STATUSES: readonly { value: LeadStatus; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'qualified', label: 'Qualified' },
  { value: 'won', label: 'Won' },
  { value: 'lost', label: 'Lost' },
];
export const statusWords = (s: string | null | undefined): string => LEAD_STATUSES.find((x) => x.value === s)?.label ?? (s || '—');
export const STATUS_COLOR: Record<string, string> = { open: 'blue', qualified: 'grape', won: 'teal', lost: 'gray' };

/** A person's name as the lists show it: first and last, or the address. */
export const personName = (c: { email: string | null; firstName?: string | null; lastName?: string | null } | null | undefined): string =>
  c ? [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || 'A contact' : 'A contact';

const byId = (leadId: string) => ({ path: { id: leadId } });

export const leadsApi = {
  /** Cursor-paged as the other lists (`cursor`, `page.next`); the ranking pages with `after`/`next`. */
  list: (q: { status?: string; contactId?: string; ownerId?: string; q?: string; after?: string | null; limit?: number }) =>
    call(
      api.GET('/api/v1/leads', {
        params: {
          query: {
            limit: q.limit ?? 50,
            ...(q.status ? { status: q.status as LeadStatus } : {}),
            ...(q.contactId ? { contactId: q.contactId } : {}),
            ...(q.ownerId ? { ownerId: q.ownerId } : {}),
            ...(q.q ? { q: q.q } : {}),
            ...(q.after ? { cursor: q.after } : {}),
          },
        },
      }),
    ),
  lead: async (leadId: string) => (await call(api.GET('/api/v1/leads/{id}', { params: byId(leadId) }))).data,
  create: async (body: LeadInput) => (await call(api.POST('/api/v1/leads', { body }))).data,
  update: async (leadId: string, body: LeadPatch) => (await call(api.PATCH('/api/v1/leads/{id}', { params: byId(leadId), body }))).data,
  remove: (leadId: string) => call(api.DELETE('/api/v1/leads/{id}', { params: byId(leadId) })),
  fields: async () => (await call(api.GET('/api/v1/lead-fields'))).data,
};
