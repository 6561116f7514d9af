import { useQuery } from '@tanstack/react-query';
import type { BlockDocument } from '../../../../src/modules/email/blocks.render.ts';
import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';

/*
 * The email routes. The engine's (send, audience, campaigns, sends) are on main and typed from
 * schema.d.ts. The messages routes (list, CRUD, preview, test: /work/specs/r1-messages.md) were not
 * when these screens were written: their types below are that contract's words, and `loose` calls the
 * same openapi-fetch client (cookie, 401 handling) without path types.
 * INTEGRATION: once they land and `npm run admin:schema` has run, replace Message/Preview by their
 * `operations[...]` types and each `loose.X(...)` by `api.X(...)`; the compiler then shows any
 * difference between the contract and what was built.
 */

export interface Message {
  id: string;
  name: string;
  purpose: string;
  listId: string | null;
  fromName: string | null;
  fromEmail: string | null;
  replyTo: string | null;
  subject: string;
  html: string;
  text: string | null;
  blocks: BlockDocument | null;
  createdAt: string;
  updatedAt: string;
}
export type MessageInput = Omit<Message, 'id' | 'createdAt' | 'updatedAt'>;

export interface GateAnswer {
  allowed: boolean;
  reason: string;
  effectiveLevel: number;
}
export interface Preview {
  subject: string;
  html: string;
  text: string;
  gate: GateAnswer;
  tracking: boolean;
}
type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer J } } } } ? J : never;
export type Audience = Json<operations['postMessagesByIdAudience']>['data'];
export type Campaign = Json<operations['getCampaignsById']>['data'];
export type CampaignCounts = Campaign['counts'];
export type CampaignStatus = Campaign['status'];
export type Send = Json<operations['getSends']>['data'][number];
export interface Page<T> {
  data: T[];
  page: { next: string | null; total?: number };
}

type Answer = Promise<{ data?: unknown; error?: unknown; response: Response }>;
type Init = { params?: { path?: Record<string, string>; query?: Record<string, string | number | undefined> }; body?: unknown };
const loose = api as unknown as {
  GET: (p: string, i?: Init) => Answer;
  POST: (p: string, i?: Init) => Answer;
  PATCH: (p: string, i?: Init) => Answer;
};

const get = <T>(path: string, init?: Init) => call(loose.GET(path, init)) as Promise<T>;
const post = <T>(path: string, init?: Init) => call(loose.POST(path, init)) as Promise<T>;
/** An answer's object whether the route wraps it in `data` (as the other routes do) or not. */
const unwrap = <T>(r: unknown, key?: string): T => {
  const d = (r as { data?: unknown })?.data ?? r;
  return (key && d && typeof d === 'object' && key in d ? (d as Record<string, unknown>)[key] : d) as T;
};

export const emailApi = {
  messages: (query: { cursor?: string; q?: string; limit?: number }) => get<Page<Message>>('/api/v1/messages', { params: { query } }),
  message: async (id: string) => unwrap<Message>(await get('/api/v1/messages/{id}', { params: { path: { id } } })),
  create: async (body: MessageInput) => unwrap<Message>(await post('/api/v1/messages', { body })),
  update: async (id: string, body: MessageInput) =>
    unwrap<Message>(await call(loose.PATCH('/api/v1/messages/{id}', { params: { path: { id } }, body }))),
  preview: async (id: string, contactId: string) =>
    unwrap<Preview>(await post('/api/v1/messages/{id}/preview', { params: { path: { id } }, body: { contactId } })),
  test: (id: string, to: string, contactId?: string) =>
    post<unknown>('/api/v1/messages/{id}/test', { params: { path: { id } }, body: { to, ...(contactId ? { contactId } : {}) } }),
  audience: async (id: string, segmentId: string) =>
    (await call(api.POST('/api/v1/messages/{id}/audience', { params: { path: { id } }, body: { segmentId } }))).data,
  startCampaign: async (id: string, segmentId: string) => {
    const r = await call(api.POST('/api/v1/messages/{id}/send', { params: { path: { id } }, body: { segmentId } }));
    const campaign = 'campaign' in r.data ? r.data.campaign : undefined;
    if (!campaign) throw new Error('the server started no campaign');
    return campaign;
  },
  campaigns: (query: { cursor?: string; limit?: number }) => call(api.GET('/api/v1/campaigns', { params: { query } })),
  campaign: async (id: string) => (await call(api.GET('/api/v1/campaigns/{id}', { params: { path: { id } } }))).data,
  campaignAction: async (id: string, action: 'pause' | 'resume' | 'cancel') => {
    const path = { params: { path: { id } } };
    const r = await call(
      action === 'pause'
        ? api.POST('/api/v1/campaigns/{id}/pause', path)
        : action === 'resume'
          ? api.POST('/api/v1/campaigns/{id}/resume', path)
          : api.POST('/api/v1/campaigns/{id}/cancel', path),
    );
    return r.data;
  },
  sends: (query: { contact?: string; campaign?: string; message?: string; cursor?: string; limit?: number }) =>
    call(api.GET('/api/v1/sends', { params: { query } })),
};

/** A message's name for a table row: asked once per message, shared by every row that names it. */
export function useMessageName(id: string | null | undefined, known?: string | null) {
  const q = useQuery({
    queryKey: ['message', id],
    queryFn: () => emailApi.message(id!),
    enabled: !!id && !known,
    staleTime: 60_000,
    retry: false,
  });
  if (known) return known;
  if (q.isError) return 'a deleted message';
  return q.data?.name ?? '…';
}

/** Every list and every segment, for names and pickers (a page of 500 covers an installation's). */
export function useListsAndSegments() {
  const lists = useQuery({
    queryKey: ['lists', 'all'],
    queryFn: async () => (await call(api.GET('/api/v1/lists', { params: { query: { limit: 500 } } }))).data,
    staleTime: 60_000,
  });
  const segments = useQuery({
    queryKey: ['segments', 'all'],
    queryFn: async () => (await call(api.GET('/api/v1/segments', { params: { query: { limit: 500 } } }))).data,
    staleTime: 60_000,
  });
  return { lists, segments };
}
