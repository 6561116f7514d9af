import type { Clock } from '../../lib/clock.ts';
import { signToken } from '../../lib/signed.ts';
import type { SecretService, SettingsService } from '../settings/module.ts';
import type { MessagesTable } from './email.table.ts';
import type { MessagesService } from './messages.service.ts';
import { compile, render } from './template.render.ts';
import { contactVars } from './template.vars.ts';
import type { PolicyStep, RenderStep, SendDecorations, TrackingStep } from './engine.model.ts';
import { domainOf } from './engine.pipeline.ts';

/**
 * The steps the engine runs until the parts of the email module that own them are wired in
 * (frequency caps and quiet hours: policy.service.ts; tracking and unsubscribe: tracking.ts). Each
 * is the answer that changes nothing: no cap, no tracking. TODO(integration): replace each by its
 * owner's step.
 */
export const NO_POLICY: PolicyStep = {
  decide: async () => new Map(),
};

/**
 * The messages' own templates (template.render.ts): compiled once per batch against the custom
 * fields and purposes read now, rendered per recipient with its contact and its send's links.
 */
export function liquidRender(messages: Pick<MessagesService, 'templateContext'>): RenderStep {
  return {
    compile: async (m: MessagesTable) => {
      const compiled = compile(m, await messages.templateContext());
      return (contact, links) => render(compiled, { contact: contactVars(contact, compiled.fields), ...links });
    },
  };
}

/** Tokens are valid this long: a person may unsubscribe from an old mail (the brief asks at least 60 days). */
const TOKEN_DAYS = 400;

/**
 * Signed links bound to the send (`lib/signed.ts`, subject the send id), under the public routes
 * the tracking part answers; no pixel and no rewritten links.
 */
export function plainTracking(settings: SettingsService, secret: SecretService, clock: Clock): TrackingStep {
  return {
    forBatch: async (): Promise<SendDecorations> => {
      const s = await settings.get();
      const key = await secret.key();
      const base = s.publicBaseUrl.replace(/\/+$/, '');
      const expires = new Date(clock.now().getTime() + TOKEN_DAYS * 86_400_000);
      const token = (sendId: string) => signToken(key, 'unsubscribe', sendId, expires);
      const domain = domainOf(s.smtp?.from ?? s.mailFrom);
      return {
        links: (sendId) => {
          const t = token(sendId);
          return {
            unsubscribe_url: `${base}/public/v1/email/unsubscribe/${t}`,
            subscription_center_url: `${base}/public/v1/email/subscriptions/${t}`,
            view_in_browser_url: `${base}/public/v1/email/view/${t}`,
          };
        },
        decorate: (html) => html,
        unsubscribeHeaders: (sendId) => {
          const t = token(sendId);
          return {
            'List-Unsubscribe': `<${base}/public/v1/email/unsubscribe/${t}>, <mailto:unsubscribe@${domain}?subject=${t}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          };
        },
      };
    },
  };
}
