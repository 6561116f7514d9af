import { Command } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { registerAdminCommands } from './admin.commands.ts';
import { registerConsentCommands } from './consent.commands.ts';
import { registerContactsCommands } from './contacts.commands.ts';
import { registerDemoCommands } from './demo.commands.ts';
import { registerDsrCommands } from './dsr.commands.ts';
import { registerImportCommands } from './import.commands.ts';
import { registerRetentionCommands } from './retention.commands.ts';
import { registerServeCommands } from './serve.commands.ts';
import { registerWorkerCommands } from './worker.commands.ts';

// The command definitions only. What a command runs is imported when it runs, so reading the
// command line (`--help`, `--version`, a usage error) loads none of the server or the database.
// Building the program runs nothing: main.ts parses the arguments with it; tests read it.
export function buildProgram(): Command {
  const program = new Command('assent')
    .description('Assent: privacy-first marketing automation')
    .version(pkg.version, '-V, --version', 'print the version')
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 runtime error, 2 usage error, 3 residue found (dsr erase). List commands take --json.',
    )
    .showHelpAfterError()
    // Commander's errors (unknown command or option, a missing or malformed argument) are thrown
    // here, not ended with its own exit code 1: they are usage errors, exit 2. Set before the
    // commands are added, which inherit it.
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });

  registerServeCommands(program);
  registerAdminCommands(program);
  registerConsentCommands(program);
  registerDsrCommands(program);
  registerRetentionCommands(program);
  registerWorkerCommands(program);
  registerImportCommands(program);
  registerContactsCommands(program);
  registerDemoCommands(program);
  return program;
}
