import { AppError } from '../../lib/errors.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import type { MailService } from '../mail/mail.service.ts';
import type { Message } from './requests.messages.ts';

export type Delivery = { sent: true } | { sent: false; reason: string };

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

  async send(to: string, contactId: string | null, message: Message): Promise<Delivery> {
    let contact = contactId;
    if (contact) {
      const answer = await this.consent.check(contact, 'requested', { caller: 'data_request' }).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'not_found') return null;
        throw e;
      });
      if (!answer) contact = null;
      else if (!answer.allowed) return { sent: false, reason: answer.reason };
    }
    await this.mail.send({ to, subject: message.subject, text: message.text, purpose: 'requested', ...(contact ? { contactId: contact } : {}) });
    return { sent: true };
  }
}
