import { AppError } from '../../lib/errors.ts';
import type { SettingsService } from '../settings/module.ts';
import type { MailSender } from './mail.sender.ts';

export interface RelayTestResult {
  /** What the relay answered the message with (its Message-ID), to find it in the relay's logs. */
  messageId: string;
  host: string;
  port: number;
}

/**
 * One message through the configured SMTP relay, to an address a staff member gives, so they see
 * the relay work (or why it does not) before anyone's mail depends on it. It goes through the
 * gated sender like all mail (caller `staff`, purpose `requested`: it answers their own action).
 */
export class RelayTest {
  constructor(
    private readonly settings: Pick<SettingsService, 'get'>,
    private readonly mail: Pick<MailSender, 'send'>,
  ) {}

  async send(to: string): Promise<RelayTestResult> {
    const { smtp } = await this.settings.get();
    if (!smtp) throw new AppError('smtp_not_set', 'no SMTP relay is set: mail is kept in the local outbox');
    const d = await this.mail.send({
      to,
      subject: 'Assent test message',
      text:
        `This message was sent from Assent through the SMTP relay ${smtp.host}:${smtp.port} to check its settings.\n\n` +
        'It arrived, so the relay works. Nothing needs to be done.',
      purpose: 'requested',
      caller: 'staff',
      contactId: null,
    });
    // The relay setting may have been removed meanwhile (the message is then in the outbox), or the gate refused.
    if (!d.sent) throw new AppError('forbidden', `the message was not sent (${d.reason})`);
    if (d.result.transport !== 'smtp' || !d.result.messageId)
      throw new AppError('smtp_not_set', 'the SMTP relay was removed meanwhile: the message was kept in the local outbox');
    return { messageId: d.result.messageId, host: smtp.host, port: smtp.port };
  }
}
