import type { KeyedDelivery as SenderDelivery, MailSender } from '../../mail/module.ts';
import type { Message } from './requests.messages.ts';

/**
 * Sent now; refused by the gate or the suppression list (`reason`); or, under a key, handled by
 * an earlier call (`earlier`: sent, begun by a process that died before the relay answered, or
 * refused then).
 */
export type Delivery = { sent: true } | { sent: false; reason: string };
export type KeyedDelivery = Delivery | { sent: false; earlier: 'pending' | 'done' | 'skipped' };

/**
 * Mail to a requester serves the `requested` purpose (an answer to the person's own action),
 * sent by the data-request caller through the mail module's gated sender: the gate is asked
 * for the contact the address belongs to, or as for an address with no consent recorded.
 */
export class RequestMailer {
  constructor(private readonly mail: Pick<MailSender, 'send'>) {}

  /** With a `key` (ids only), the message is sent at most once under it however often this is called (MailService.sendOnce). */
  async send(to: string, contactId: string | null, message: Message): Promise<Delivery>;
  async send(to: string, contactId: string | null, message: Message, key: string | undefined): Promise<KeyedDelivery>;
  async send(to: string, contactId: string | null, message: Message, key?: string): Promise<KeyedDelivery> {
    const d: SenderDelivery = await this.mail.send(
      { to, subject: message.subject, text: message.text, purpose: 'requested', caller: 'data_request', contactId },
      key,
    );
    return d.sent ? { sent: true } : 'reason' in d ? { sent: false, reason: d.reason } : { sent: false, earlier: d.earlier };
  }
}
