import type { Clock } from '../../src/lib/clock.ts';
import type { Db } from '../../src/modules/database.ts';
import { MailService } from '../../src/modules/mail/mail.service.ts';
import type { SettingsService } from '../../src/modules/settings/settings.service.ts';

const transports = new WeakMap<object, MailService>();

/**
 * The mail transport beneath the gated sender, for tests that plant messages (in the outbox, to
 * people and to addresses no contact holds) as data to erase, export or keep. The product has
 * no such door: its mail leaves through the mail module's face, which asks the gate first.
 */
export function transportOf(s: { db: Db; settings: SettingsService; clock: Clock }): MailService {
  let t = transports.get(s);
  if (!t) transports.set(s, (t = new MailService(s.db, s.settings, s.clock)));
  return t;
}
