import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import { refuseDatabaseFile, withServices } from './context.ts';
import { registerDsrEraseCommand } from './dsr-erase.commands.ts';

export function registerDsrCommands(program: Command): void {
  const dsr = program.command('dsr').description('data-subject requests: access exports and erasure');
  registerDsrEraseCommand(dsr);

  dsr
    .command('export')
    .description('write everything held about a person (the access export); with no data held, writes the empty export and says so, exit 0')
    .argument('<email>', "the person's email address")
    .requiredOption('--out <file>', 'file to write (created readable by its owner only: it holds personal data)')
    .addOption(new Option('--format <format>', 'JSON document or readable HTML page').choices(['json', 'html']).default('json'))
    .action(async (email: string, opts: { out: string; format: 'json' | 'html' }) => {
      await refuseDatabaseFile(opts.out);
      const { renderExportHtml } = await import('../modules/dsr/access-export/access-export.html.ts');
      await withServices(async (s) => {
        const x = await s.accessExports.buildForEmail(email);
        writeFileSync(
          opts.out,
          opts.format === 'html' ? renderExportHtml(x, { reading: await s.accessExports.reading(x) }) : `${JSON.stringify(x, null, 2)}\n`,
          { mode: 0o600 },
        );
        await s.audit.record({
          actor: CLI_ACTOR,
          action: 'contact.export',
          targetType: 'contact',
          targetId: x.subject.contactId,
          outcome: 'ok',
        });
        const rows = Object.values(x.tables).reduce((n, t) => n + t.rows.length, 0);
        // An answer of "nothing held" is still an answer the controller must give: the file records it.
        process.stdout.write(
          x.dataHeld
            ? `wrote ${opts.out}: ${rows} records in ${Object.keys(x.tables).length} tables, ${x.consentHistory.length} consent entries\n`
            : `no data held for that address; wrote the empty export to ${opts.out}\n`,
        );
      });
    });
}
