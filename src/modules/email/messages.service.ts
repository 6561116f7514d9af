import type { Clock } from '../../lib/clock.ts';
import { isValidEmail, normaliseEmail } from '../../lib/email.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ConsentService, GateAnswer } from '../consent/module.ts';
import type { ContactsService, CustomFieldsService } from '../contacts/module.ts';
import type { Db } from '../database.ts';
import type { ListsService } from '../lists/module.ts';
import type { MailSender } from '../mail/module.ts';
import type { SettingsService } from '../settings/module.ts';
import type { MessagesTable } from './email.table.ts';
import {
  MAX_BLOCKS_BYTES,
  MAX_BODY_BYTES,
  MAX_NAME,
  MAX_SUBJECT,
  type Message,
  type MessageInput,
  senderOf,
  toMessage,
} from './messages.model.ts';
import * as q from './messages.queries.ts';
import { type CompiledMessage, compile, type RenderedMessage, render, type TemplateContext } from './template.render.ts';
import { contactVars, sampleContact, type TemplateVars } from './template.vars.ts';

// No line breaks or control characters in what becomes a header or a one-line label.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export interface Preview extends RenderedMessage {
  /** The gate's answer for the contact and the message's purpose, asked as a campaign would. */
  gate: GateAnswer;
  /** Whether this contact's mail would carry the open pixel and click links (the gate allows profiling). */
  tracking: boolean;
}

export interface TestSendResult {
  transport: 'smtp' | 'outbox';
  /** The outbox entry's id, or the send's own id through a relay. */
  id: string;
  /** The Message-ID the relay took it under (SMTP only). */
  messageId: string | null;
}

type Problem = { path: string; message: string };

/**
 * Messages: staff write them (the templates are checked on every write, nothing invalid is
 * stored), preview them as a contact with the gate's answer, and send themselves a test.
 */
export class MessagesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly deps: {
      settings: Pick<SettingsService, 'get'>;
      customFields: Pick<CustomFieldsService, 'list'>;
      contacts: Pick<ContactsService, 'get'>;
      lists: Pick<ListsService, 'get'>;
      consent: Pick<ConsentService, 'check'>;
      mail: Pick<MailSender, 'send'>;
    },
  ) {}

  /** What templates are checked against: the purposes setting and the custom fields, read now. */
  async templateContext(): Promise<TemplateContext> {
    const [settings, fields] = await Promise.all([this.deps.settings.get(), this.deps.customFields.list()]);
    return { purposes: settings.purposes, fields: fields.map((f) => ({ name: f.name, type: f.type })) };
  }

  /** A stored message ready to render (the sending engine compiles once per batch). */
  async compiled(id: string, ctx?: TemplateContext): Promise<{ message: Message; compiled: CompiledMessage }> {
    const message = await this.get(id);
    return { message, compiled: compile(message, ctx ?? (await this.templateContext())) };
  }

  async get(id: string): Promise<Message> {
    const r = await q.messageById(this.db.kysely, id);
    if (!r) throw new AppError('not_found', 'no such message');
    return toMessage(r);
  }

  async list(
    filter: { q?: string },
    limit: number,
    after?: { key: string | number; id: string },
  ): Promise<{ row: Message; key: string | number }[]> {
    const rows = await q.listMessages(this.db.kysely, filterOf(filter), limit, after);
    return rows.map((r) => ({ row: toMessage(r.row), key: r.key }));
  }

  count(filter: { q?: string }): Promise<{ total: number; isEstimate: boolean }> {
    return q.countMessages(this.db.kysely, filterOf(filter));
  }

  async create(input: MessageInput & Pick<Message, 'name' | 'purpose' | 'subject' | 'html'>): Promise<Message> {
    const now = this.clock.now().toISOString();
    const row: MessagesTable = {
      id: newId(),
      ...(await this.checked(input)),
      created_at: now,
      updated_at: now,
    } as MessagesTable;
    await q.insertMessage(this.db.kysely, row).catch(listGone);
    return toMessage(row);
  }

  /** Changes the fields given; the whole message (stored fields and changes) is checked again. */
  async update(id: string, patch: MessageInput): Promise<Message> {
    const current = await this.get(id);
    const merged = { ...current, ...patch };
    const set = await this.checked(merged);
    const updated_at = this.clock.now().toISOString();
    const r = await q.updateMessage(this.db.kysely, id, { ...set, updated_at }).catch(listGone);
    if (Number(r.numUpdatedRows) === 0) throw new AppError('not_found', 'no such message');
    return this.get(id);
  }

  /** Deletes a message no send or campaign names: those keep its history (409 `message_in_use`). */
  async delete(id: string): Promise<void> {
    await this.db.kysely
      .transaction()
      .execute(async (t) => {
        if (!(await q.messageById(t, id))) throw new AppError('not_found', 'no such message');
        if (await q.messageInUse(t, id)) throw inUse();
        await q.deleteMessage(t, id);
      })
      .catch((e: unknown) => {
        // A send made between the check and the delete: its reference refuses the delete.
        if (isForeignKeyViolation(e)) throw inUse();
        throw e;
      });
  }

  /** The message as the contact would get it, and whether the gate lets it be sent now. */
  async preview(id: string, contactId: string): Promise<Preview> {
    const [message, ctx] = await Promise.all([this.get(id), this.templateContext()]);
    const contact = await this.deps.contacts.get(contactId);
    const [gate, profiling] = await Promise.all([
      this.deps.consent.check(contactId, message.purpose, { caller: 'campaign' }),
      this.deps.consent.check(contactId, 'profiling', { caller: 'tracking' }),
    ]);
    const vars: TemplateVars = { contact: contactVars(contact, ctx.fields), ...(await this.previewLinks()) };
    return { ...render(compile(message, ctx), vars), gate, tracking: gate.allowed && profiling.allowed };
  }

  /**
   * One test message to a staff address: through the gated sender as the staff member's own
   * action (caller `staff`, purpose `requested`), to the relay or, with none set, the outbox.
   * Rendered as the contact given, else as a sample contact that is no real person.
   */
  async sendTest(id: string, to: string, contactId?: string): Promise<TestSendResult> {
    const [message, ctx] = await Promise.all([this.get(id), this.templateContext()]);
    const address = normaliseEmail(to);
    if (!isValidEmail(address))
      throw new AppError('validation_failed', 'not a valid email address', [{ path: '/to', message: 'invalid email' }]);
    const contact = contactId ? await this.deps.contacts.get(contactId) : sampleContact(ctx.fields);
    const r = render(compile(message, ctx), { contact: contactVars(contact, ctx.fields), ...(await this.previewLinks()) });
    const from = senderOf(message);
    const replyTo = message.replyTo;
    const d = await this.deps.mail.send({
      to: address,
      subject: `[Test] ${r.subject}`,
      html: r.html,
      text: r.text,
      ...(from ? { from } : {}),
      ...(replyTo ? { headers: { 'Reply-To': replyTo } } : {}),
      purpose: 'requested',
      caller: 'staff',
      contactId: null,
    });
    // Only a suppressed address (an erased person's) refuses a staff member's own `requested` mail.
    if (!d.sent) throw new AppError('forbidden', `the test message was not sent (${d.reason})`);
    return { transport: d.result.transport, id: d.result.id, messageId: d.result.messageId ?? null };
  }

  /**
   * The links a preview or test shows: the real routes (issue 14's public email routes) with a
   * token that is no token, so nothing in a preview works as anyone's link.
   */
  private async previewLinks(): Promise<Omit<TemplateVars, 'contact'>> {
    const base = `${(await this.deps.settings.get()).publicBaseUrl.replace(/\/+$/, '')}/public/v1/email`;
    return {
      subscription_center_url: `${base}/subscription-center/preview`,
      unsubscribe_url: `${base}/unsubscribe/preview`,
      view_in_browser_url: `${base}/view/preview`,
      forward_url: `${base.replace(/\/email$/, '/forward')}/preview`,
    };
  }

  /** The row's columns for a whole message, or validation_failed / the template errors. */
  private async checked(m: MessageInput): Promise<Omit<MessagesTable, 'id' | 'created_at' | 'updated_at'>> {
    const problems: Problem[] = [];
    const bad = (path: string, message: string) => problems.push({ path, message });
    const name = (m.name ?? '').trim();
    if (!name) bad('/name', 'empty');
    else if (name.length > MAX_NAME || CONTROL.test(name)) bad('/name', `at most ${MAX_NAME} characters, no control characters`);
    const subject = m.subject ?? '';
    if (!subject.trim()) bad('/subject', 'empty');
    else if (subject.length > MAX_SUBJECT) bad('/subject', `at most ${MAX_SUBJECT} characters`);
    const html = m.html ?? '';
    if (!html.trim()) bad('/html', 'empty');
    else if (Buffer.byteLength(html) > MAX_BODY_BYTES) bad('/html', `at most ${MAX_BODY_BYTES} bytes`);
    const text = m.text === undefined || m.text === null || m.text.trim() === '' ? null : m.text;
    if (text !== null && Buffer.byteLength(text) > MAX_BODY_BYTES) bad('/text', `at most ${MAX_BODY_BYTES} bytes`);
    const address = (path: string, v: string | null | undefined) => {
      if (v === undefined || v === null || v.trim() === '') return null;
      const a = normaliseEmail(v);
      if (!isValidEmail(a)) bad(path, 'not a valid email address');
      return a;
    };
    const fromEmail = address('/fromEmail', m.fromEmail);
    const replyTo = address('/replyTo', m.replyTo);
    const fromName = m.fromName?.trim() || null;
    if (fromName !== null) {
      if (fromName.length > MAX_NAME || CONTROL.test(fromName)) bad('/fromName', `at most ${MAX_NAME} characters, no control characters`);
      else if (fromEmail === null) bad('/fromName', 'a sender name needs fromEmail');
    }
    let blocks: string | null = null;
    if (m.blocks !== undefined && m.blocks !== null) {
      blocks = JSON.stringify(m.blocks);
      if (Buffer.byteLength(blocks) > MAX_BLOCKS_BYTES) bad('/blocks', `at most ${MAX_BLOCKS_BYTES} bytes as JSON`);
    }
    const listId = m.listId ?? null;
    if (listId !== null) {
      await this.deps.lists.get(listId).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'not_found') bad('/listId', 'no such list');
        else throw e;
      });
    }
    if (problems.length) throw new AppError('validation_failed', 'the message is not valid', problems);
    const purpose = m.purpose ?? '';
    // Throws validation_failed (/purpose), template_invalid or missing_subscription_link.
    compile({ purpose, subject, html, text }, await this.templateContext());
    return {
      name,
      purpose,
      list_id: listId,
      from_name: fromName,
      from_email: fromEmail,
      reply_to: replyTo,
      subject,
      html,
      text,
      blocks,
    };
  }
}

function isForeignKeyViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

const inUse = () => new AppError('message_in_use', 'sends or campaigns name this message: it cannot be deleted');

/** The list was deleted between the check and the write. */
function listGone(e: unknown): never {
  if (isForeignKeyViolation(e))
    throw new AppError('validation_failed', 'the message is not valid', [{ path: '/listId', message: 'no such list' }]);
  throw e;
}

function filterOf(f: { q?: string }): q.MessageFilter {
  const words = [...new Set((f.q ?? '').split(/\s+/).filter((w) => w !== ''))].slice(0, 10);
  return words.length ? { words } : {};
}
