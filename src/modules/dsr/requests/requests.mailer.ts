import { AppError } from '../../../lib/errors.ts';
import type { ConsentService } from '../../consent/consent.service.ts';
import type { MailService } from '../../mail/mail.service.ts';
import type { Message } from './requests.messages.ts';

/**
 * Sent now; refused by the gate (`reason`); or, under a key, handled by an earlier call
 * (`earlier`: sent, begun by a process that died before the relay answered, or refused then).
 */
export type Delivery = { sent: true } | { sent: false; reason: string };
export type KeyedDelivery = Delivery | { sent: false; earlier: 'pending' | 'done' | 'skipped' };

/**
 * Mail to a requester serves the `requested` purpose (an answer to the person's own action).
 * When the address belongs to a contact the consent gate is asked like everywhere else; an
 * address with no contact has no consent state to ask about.
 */
export class RequestMailer {
  constructor(
    private readonly mail: MailService,
    private readonly consent: ConsentService,
  ) {}

  /** With a `key` (ids only), the message is sent at most once under it however often this is called (MailService.sendOnce). */
  async send(to: string, contactId: string | null, message: Message): Promise<Delivery>;
  async send(to: string, contactId: string | null, message: Message, key: string | undefined): Promise<KeyedDelivery>;
  async send(to: string, contactId: string | null, message: Message, key?: string): Promise<KeyedDelivery> {
    let contact = contactId;
    if (contact) {
      const answer = await this.consent.check(contact, 'requested', { caller: 'data_request' }).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'not_found') return null;
        throw e;
      });
      if (!answer) contact = null;
      else if (!answer.allowed) return { sent: false, reason: answer.reason };
    }
    const msg = { to, subject: message.subject, text: message.text, purpose: 'requested', ...(contact ? { contactId: contact } : {}) };
    if (key === undefined) {
      await this.mail.send(msg);
      return { sent: true };
    }
    const r = await this.mail.sendOnce(key, msg);
    return r.sent ? { sent: true } : { sent: false, earlier: r.earlier };
  }
}
