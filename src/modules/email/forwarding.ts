import type { Db } from '../database.ts';
import { emailKey } from '../../lib/email.ts';
import { isAppError } from '../../lib/errors.ts';
import type { ContactsService } from '../contacts/module.ts';
import type { Rendered, RenderStep, SendLinks } from './engine.model.ts';
import { undeliverableAmong } from './send.queries.ts';
import { linkedSend } from './tracking.queries.ts';

/** What the forward module may know of a send: whose it is and whether a campaign made it. */
export interface ForwardableSend {
  id: string;
  contactId: string;
  campaignId: string | null;
  messageId: string;
}

/** A send's message as its contact got it, with the links given in place of the send's own, and its sender. */
export interface SentCopy extends Rendered {
  /** The message's own sender (`"Name" <address>`), or undefined for the relay's. */
  from: string | undefined;
}

/**
 * What the email module lends the forward module (src/modules/forward): the send a forward link
 * names, its message rendered for the send's contact through the one template step (module.ts)
 * with links the caller chooses (never the person's own) and no tracking, and whether an address
 * bounced hard. Reads only; the forward module sends through the gated sender itself.
 */
export class SentMessages {
  constructor(
    private readonly db: Db,
    private readonly render: RenderStep,
    private readonly contacts: Pick<ContactsService, 'get'>,
  ) {}

  async send(sendId: string): Promise<ForwardableSend | null> {
    const s = await linkedSend(this.db.kysely, sendId);
    return s ? { id: s.id, contactId: s.contact_id, campaignId: s.campaign_id, messageId: s.message_id } : null;
  }

  /** Null when the send, its contact or its message is gone, or the template no longer renders. */
  async copy(sendId: string, links: SendLinks): Promise<SentCopy | null> {
    const send = await linkedSend(this.db.kysely, sendId);
    if (!send) return null;
    const message = await this.db.kysely.selectFrom('messages').selectAll().where('id', '=', send.message_id).executeTakeFirst();
    if (!message) return null;
    let c: Awaited<ReturnType<ContactsService['get']>>;
    try {
      c = await this.contacts.get(send.contact_id);
    } catch (e) {
      if (isAppError(e) && e.code === 'not_found') return null;
      throw e;
    }
    const contact = {
      id: c.id,
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      phone: c.phone,
      company: c.company,
      country: c.country,
      language: c.language,
      birthDate: c.birthDate,
      customFields: c.customFields,
    };
    try {
      const out = (await this.render.compile(message))(contact, links);
      const from = message.from_email
        ? message.from_name
          ? `"${message.from_name.replace(/["\\]/g, (x) => `\\${x}`)}" <${message.from_email}>`
          : message.from_email
        : undefined;
      return { ...out, from };
    } catch (e) {
      if (isAppError(e)) return null;
      throw e;
    }
  }

  /** Whether the address bounced hard (the engine sends nothing more to it). */
  async undeliverable(email: string): Promise<boolean> {
    return (await undeliverableAmong(this.db.kysely, [emailKey(email)])).size > 0;
  }
}
