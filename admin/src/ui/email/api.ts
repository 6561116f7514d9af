import { useQuery } from '@tanstack/react-query';
import type { BlockDocument } from '../../../../src/modules/email/blocks.render.ts';
import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';

/** The email routes' types, from the server's OpenAPI document (schema.d.ts). */
type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer J } } } } ? J : never;
type Stored = Json<operations['getMessagesById']>['data'];
/** A message; its `blocks` is the block editor's document (the API keeps any JSON object there). */
export type Message = Omit<Stored, 'blocks'> & { blocks: BlockDocument | null };
export type MessageInput = Omit<Message, 'id' | 'createdAt' | 'updatedAt'>;
export type Preview = Json<operations['postMessagesByIdPreview']>['data'];
export type Audience = Json<operations['postMessagesByIdAudience']>['data'];
export type Campaign = Json<operations['getCampaignsById']>['data'];
export type CampaignCounts = Campaign['counts'];
export type CampaignStatus = Campaign['status'];
export type Send = Json<operations['getSends']>['data'][number];

/** The stored document when it is one the editor made (version 1); else none (the HTML is then the message). */
const asMessage = (m: Stored): Message => {
  const b = m.blocks as Partial<BlockDocument> | null;
  return { ...m, blocks: b && b.version === 1 && Array.isArray(b.blocks) && b.settings ? (b as BlockDocument) : null };
};
const asBody = (m: MessageInput) => ({ ...m, blocks: m.blocks as unknown as Record<string, unknown> | null });

export const emailApi = {
  messages: async (query: { cursor?: string; q?: string; limit?: number }) => {
    const r = await call(api.GET('/api/v1/messages', { params: { query } }));
    return { ...r, data: r.data.map(asMessage) };
  },
  message: async (id: string) => asMessage((await call(api.GET('/api/v1/messages/{id}', { params: { path: { id } } }))).data),
  create: async (body: MessageInput) => asMessage((await call(api.POST('/api/v1/messages', { body: asBody(body) }))).data),
  update: async (id: string, body: MessageInput) =>
    asMessage((await call(api.PATCH('/api/v1/messages/{id}', { params: { path: { id } }, body: asBody(body) }))).data),
  preview: async (id: string, contactId: string) =>
    (await call(api.POST('/api/v1/messages/{id}/preview', { params: { path: { id } }, body: { contactId } }))).data,
  test: async (id: string, to: string, contactId?: string) =>
    (await call(api.POST('/api/v1/messages/{id}/test', { params: { path: { id } }, body: { to, ...(contactId ? { contactId } : {}) } })))
      .data,
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
