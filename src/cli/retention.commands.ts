import type { Command } from 'commander';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import { withServices } from './context.ts';

export function registerRetentionCommands(program: Command): void {
  const retention = program.command('retention').description('data retention per the data map');
  retention
    .command('run')
    .description('delete rows past their retention period (audited); --dry-run shows what would go')
    .option('--dry-run', 'count only, delete nothing')
    .action(async (opts: { dryRun?: boolean }) => {
      await withServices(async (s) => {
        const items = await s.retention.run({ dryRun: !!opts.dryRun, actor: CLI_ACTOR });
        for (const i of items)
          process.stdout.write(
            `${i.table.padEnd(24)} ${String(i.rows).padStart(8)} ${opts.dryRun ? 'would be deleted' : 'deleted'} (older than ` +
              `${i.after} by ${i.from}, before ${i.cutoff})\n`,
          );
      });
    });
}
