import type { Command } from 'commander';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import type { Services } from '../services.ts';
import { printJson, withServices } from './context.ts';
import { jsonOption } from './options.ts';

/**
 * One line naming the contacts that share an address (from before addresses were compared
 * without regard to case), or null when there are none; migrate and serve print it.
 */
export async function duplicatesNotice(s: Services): Promise<string | null> {
  const { addresses, contacts } = await s.contacts.duplicateSummary();
  if (addresses === 0) return null;
  return (
    `${addresses} address${addresses === 1 ? ' is' : 'es are'} held by more than one contact (${contacts} contacts): nothing was ` +
    `merged or deleted; list them with \`assent contacts duplicates\` (GET /api/v1/contacts/duplicates) and merge them`
  );
}

export function registerContactsCommands(program: Command): void {
  const contacts = program.command('contacts').description('contacts');
  contacts
    .command('duplicates')
    .description(
      'list the contacts that share an address (compared without regard to case), oldest first: one group per address, ' +
        'tab-separated id, address, created',
    )
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      await withServices(async (s) => {
        const groups = await s.contacts.duplicates(Number.MAX_SAFE_INTEGER);
        await s.audit.record({ actor: CLI_ACTOR, action: 'contact.duplicates', targetType: 'contact', targetId: null, outcome: 'ok' });
        // One group per address, as GET /api/v1/contacts/duplicates answers.
        if (opts.json)
          return printJson(
            groups.map((g) => ({ id: g.id, contacts: g.contacts.map((c) => ({ id: c.id, email: c.email, createdAt: c.createdAt })) })),
          );
        if (groups.length === 0) process.stdout.write('no address is held by more than one contact\n');
        for (const [i, g] of groups.entries()) {
          process.stdout.write(`${i ? '\n' : ''}${g.contacts.map((c) => `${c.id}\t${c.email}\t${c.createdAt}`).join('\n')}\n`);
        }
      });
    });
}
