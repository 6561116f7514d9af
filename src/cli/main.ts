import { Command } from 'commander';
import { registerAdminCommands } from './admin.commands.ts';
import { registerConsentCommands } from './consent.commands.ts';
import { registerContactsCommands } from './contacts.commands.ts';
import { registerDsrCommands } from './dsr.commands.ts';
import { registerImportCommands } from './import.commands.ts';
import { registerRetentionCommands } from './retention.commands.ts';
import { registerServeCommands } from './serve.commands.ts';
import { registerWorkerCommands } from './worker.commands.ts';

const program = new Command('assent')
  .description('Assent: privacy-first marketing automation')
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) });

registerServeCommands(program);
registerAdminCommands(program);
registerConsentCommands(program);
registerDsrCommands(program);
registerRetentionCommands(program);
registerWorkerCommands(program);
registerImportCommands(program);
registerContactsCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const err = e as { code?: string; message?: string };
  process.stderr.write(`assent: ${err.code && /^[a-z_]+$/.test(err.code) ? `${err.code}: ` : ''}${err.message ?? String(e)}\n`);
  process.exit(1);
}
