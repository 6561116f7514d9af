import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONTACTS, DEFAULT_SEED, MAX_CONTACTS } from '../demo/limits.ts';
import { fail, withServices } from './context.ts';

// The generator (src/demo/demo.ts) loads when the command runs, like every command's work.

function parseContacts(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_CONTACTS)
    throw new InvalidArgumentError(`a whole number from 1 to ${MAX_CONTACTS.toLocaleString('en')}`);
  return Number(v);
}

function parseSeed(v: string): string {
  if (!/^[\w.-]{1,64}$/.test(v)) throw new InvalidArgumentError('1 to 64 letters, digits, _ . or -');
  return v;
}

export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description(
      'fill an EMPTY database with a demo workspace of made-up people (addresses at example.com and example.org): consent at ' +
        'every level with its notice, children with guardians, custom fields, lists, 60 days of interactions, segments and data ' +
        'requests, all through the services (ledger, audit log). Refuses a database that holds contacts',
    )
    .addOption(
      new Option('--contacts <n>', `how many contacts (1 to ${MAX_CONTACTS.toLocaleString('en')})`)
        .argParser(parseContacts)
        .default(DEFAULT_CONTACTS),
    )
    .addOption(new Option('--seed <seed>', 'the same seed makes the same people and data').argParser(parseSeed).default(DEFAULT_SEED))
    .option('--json', 'print what was made as one JSON document')
    .action(async (opts: { contacts: number; seed: string; json?: boolean }) => {
      const { fillDemo, DemoRefused } = await import('../demo/demo.ts');
      const summary = await withServices(async (s) => {
        try {
          return await fillDemo(s, {
            contacts: opts.contacts,
            seed: opts.seed,
            // Where it is, for the person waiting at a terminal; nothing for a program reading the output.
            onStep: (what) => process.stderr.isTTY && process.stderr.write(`demo: ${what}…\n`),
          });
        } catch (e) {
          if (e instanceof DemoRefused) return e;
          throw e;
        }
      });
      if (summary instanceof DemoRefused) fail(summary.message);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const { report } = await import('../demo/report.ts');
      process.stdout.write(report(summary, process.env.DATABASE_URL));
    });
}
