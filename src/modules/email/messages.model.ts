import type { MessagesTable } from './email.table.ts';

export const MAX_NAME = 200;
export const MAX_SUBJECT = 500;
export const MAX_BODY_BYTES = 512 * 1024;
export const MAX_BLOCKS_BYTES = 256 * 1024;

/** A message as the API gives it. */
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
  blocks: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
}

/** What a caller may write: every field on create (name, purpose, subject and html required), any on change. */
export interface MessageInput {
  name?: string;
  purpose?: string;
  listId?: string | null;
  fromName?: string | null;
  fromEmail?: string | null;
  replyTo?: string | null;
  subject?: string;
  html?: string;
  text?: string | null;
  blocks?: Record<string, unknown> | null;
}

export function toMessage(r: MessagesTable): Message {
  return {
    id: r.id,
    name: r.name,
    purpose: r.purpose,
    listId: r.list_id,
    fromName: r.from_name,
    fromEmail: r.from_email,
    replyTo: r.reply_to,
    subject: r.subject,
    html: r.html,
    text: r.text,
    blocks: r.blocks === null ? null : (JSON.parse(r.blocks) as Record<string, unknown>),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The From header for a message's sender, or undefined for the installation's default sender.
 * The name is quoted as RFC 5322 wants (a backslash before `"` and `\`), so a name with commas,
 * angle brackets or an `@` stays one display name.
 */
export function senderOf(m: Pick<Message, 'fromName' | 'fromEmail'>): string | undefined {
  if (!m.fromEmail) return undefined;
  if (!m.fromName) return m.fromEmail;
  return `"${m.fromName.replace(/["\\]/g, (c) => `\\${c}`)}" <${m.fromEmail}>`;
}
