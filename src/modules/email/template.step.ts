import type { MessagesTable } from './email.table.ts';
import type { RenderStep } from './engine.model.ts';
import type { MessagesService } from './messages.service.ts';
import { compile, render } from './template.render.ts';
import { contactVars, type FieldValue } from './template.vars.ts';

/**
 * The send pipeline's render step: the message's templates compiled once per batch (with the
 * purposes and custom fields as they are now), then rendered for each recipient with the send's
 * own links. A message that no longer compiles (a custom field it names was removed) throws
 * `template_invalid` for the batch; a render that fails for one contact throws for that send.
 */
export function templateRenderStep(messages: Pick<MessagesService, 'templateContext'>): RenderStep {
  return {
    compile: async (m: MessagesTable) => {
      const ctx = await messages.templateContext();
      const compiled = compile({ purpose: m.purpose, subject: m.subject, html: m.html, text: m.text }, ctx);
      return (contact, links) => {
        const customFields = contact.customFields as Record<string, FieldValue>;
        return render(compiled, { contact: contactVars({ ...contact, customFields }, ctx.fields), ...links });
      };
    },
  };
}
