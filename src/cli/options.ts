import { InvalidArgumentError, Option } from 'commander';

// Options more than one command group uses. They live here, not in main.ts: importing the
// entry would run the CLI, so a command module must never need to.

export function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return Number(v);
}

export const formatOption = () => new Option('--format <format>', 'output format').choices(['json', 'md']).default('json');

/** `--json` on a list command (docs/cli.md names each list's fields). */
export const jsonOption = () => new Option('--json', 'print the list as one JSON document {"data":[…]}');
