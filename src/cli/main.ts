import { CommanderError } from 'commander';
import { EXIT } from './context.ts';
import { buildProgram } from './program.ts';

// The entry: importing it runs the command line (the import rules' cli-entry rule).
try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  // Help and version asked for end 0; help shown because a command was missing is a usage error.
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? EXIT.ok : EXIT.usage);
  const err = e as { code?: string; message?: string };
  process.stderr.write(`assent: ${err.code && /^[a-z_]+$/.test(err.code) ? `${err.code}: ` : ''}${err.message ?? String(e)}\n`);
  process.exit(EXIT.runtime);
}
