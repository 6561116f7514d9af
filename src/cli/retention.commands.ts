import type { Command } from 'commander';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import { printJson, withServices } from './context.ts';
import { jsonOption } from './options.ts';

export function registerRetentionCommands(program: Command): void {
  const retention = program.command('retention').description('data retention per the data map');
  retention
    .command('run')
    .description('delete rows past their retention period (audited); --dry-run shows what would go')
    .option('--dry-run', 'count only, delete nothing')
    .addOption(jsonOption())
    .action(async (opts: { dryRun?: boolean; json?: boolean }) => {
      await withServices(async (s) => {
        const items = await s.retention.run({ dryRun: !!opts.dryRun, actor: CLI_ACTOR });
        if (opts.json)
          return printJson(
            items.map((i) => ({ table: i.table, rows: i.rows, dryRun: !!opts.dryRun, after: i.after, from: i.from, cutoff: i.cutoff })),
          );
        for (const i of items)
          process.stdout.write(
            `${i.table.padEnd(24)} ${String(i.rows).padStart(8)} ${opts.dryRun ? 'would be deleted' : 'deleted'} (older than ` +
              `${i.after} by ${i.from}, before ${i.cutoff})\n`,
          );
      });
    });
}
