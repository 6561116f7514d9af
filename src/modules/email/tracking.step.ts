import type { Clock } from '../../lib/clock.ts';
import type { SecretService, SettingsService } from '../settings/module.ts';
import type { MessagesTable } from './email.table.ts';
import type { SendDecorations, TrackingStep } from './engine.model.ts';
import { linkBase, listUnsubscribeHeaders, sendUrls } from './links.ts';
import { decorate } from './tracking.ts';

/**
 * The send pipeline's tracking step: per batch of one message, the signing key, the public base
 * URL and the time read once; per send its links (template variables), its decoration (click
 * links and the pixel only when the engine passes `track`, the gate's answer for `profiling`)
 * and its RFC 8058 headers, whose mailto is at the domain of the message's sender (its own
 * `from_email`, else the relay's, else `mailFrom`).
 */
export function linkTracking(settings: SettingsService, secret: SecretService, clock: Clock): TrackingStep {
  return {
    forBatch: async (message: MessagesTable): Promise<SendDecorations> => {
      const s = await settings.get();
      const key = await secret.key();
      const baseUrl = linkBase(s.publicBaseUrl);
      const now = clock.now();
      const sender = message.from_email ?? s.smtp?.from ?? s.mailFrom;
      return {
        links: (sendId, contactId) => sendUrls(baseUrl, key, sendId, now, contactId),
        decorate: (html, o) => decorate(html, { sendId: o.sendId, track: o.track, baseUrl, key, now }),
        unsubscribeHeaders: (sendId) => listUnsubscribeHeaders(baseUrl, key, sendId, now, sender),
      };
    },
  };
}
