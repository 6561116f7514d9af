import { negotiate } from '../../../i18n/catalogue.ts';
import type { KeyedDelivery as SenderDelivery, MailSender } from '../../mail/module.ts';
import type { SettingsService } from '../../settings/module.ts';
import type { Compose } from './requests.messages.ts';

/**
 * Sent now; refused by the gate or the suppression list (`reason`); or, under a key, handled by
 * an earlier call (`earlier`: sent, begun by a process that died before the relay answered, or
 * refused then).
 */
export type Delivery = { sent: true } | { sent: false; reason: string };
export type KeyedDelivery = Delivery | { sent: false; earlier: 'pending' | 'done' | 'skipped' };

/** The language a contact chose (`contacts.language`), or null when there is none or no such contact. */
export type ContactLanguage = (contactId: string) => Promise<string | null>;

/**
 * Mail to a requester serves the `requested` purpose (an answer to the person's own action),
 * sent by the data-request caller through the mail module's gated sender: the gate is asked
 * for the contact the address belongs to, or as for an address with no consent recorded.
 * It is written in the contact's language, else English (an address with no contact has told
 * us none), and names the organisation from settings.
 */
export class RequestMailer {
  constructor(
    private readonly mail: Pick<MailSender, 'send'>,
    private readonly settings: Pick<SettingsService, 'get'>,
    private readonly language: ContactLanguage,
  ) {}

  /** With a `key` (ids only), the message is sent at most once under it however often this is called (MailService.sendOnce). */
  async send(to: string, contactId: string | null, message: Compose): Promise<Delivery>;
  async send(to: string, contactId: string | null, message: Compose, key: string | undefined): Promise<KeyedDelivery>;
  async send(to: string, contactId: string | null, message: Compose, key?: string): Promise<KeyedDelivery> {
    const s = await this.settings.get();
    const lang = negotiate({ contact: contactId ? await this.language(contactId) : null, fallback: 'en' });
    const m = message({ lang, organisation: s.organisation, timeZone: s.timeZone });
    const d: SenderDelivery = await this.mail.send(
      { to, subject: m.subject, text: m.text, purpose: 'requested', caller: 'data_request', contactId },
      key,
    );
    return d.sent ? { sent: true } : 'reason' in d ? { sent: false, reason: d.reason } : { sent: false, earlier: d.earlier };
  }
}
