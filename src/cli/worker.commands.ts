import type { Command } from 'commander';
import { openServices } from './context.ts';

/** The background worker as its own process: the job queue and the daily work, without serving HTTP. */
export function registerWorkerCommands(program: Command): void {
  program
    .command('worker')
    .description('run the background worker (retention and other jobs) without serving HTTP')
    .action(async () => {
      const { startBackground } = await import('../services.ts');
      const s = await openServices();
      const bg = startBackground(s);
      process.stdout.write('assent worker running; Ctrl-C to stop\n');
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        process.once(
          sig,
          () =>
            void bg
              .stop()
              .then(() => s.close())
              .then(() => process.exit(0)),
        );
      }
    });
}
