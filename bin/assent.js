#!/usr/bin/env node
// The `assent` command. It runs the compiled command line (dist/, built by `npm ci` through the
// `prepare` script, by `npm start` and by `npm test`) while that is at least as new as the
// sources; otherwise (no build yet, a source edited or pulled since) it runs the sources through
// tsx's loader: slower to start, never older than the code. ASSENT_CLI_TRACE=1 says which on stderr.
import { fileURLToPath } from 'node:url';
import { isFresh } from './fresh.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = isFresh(root);
if (process.env.ASSENT_CLI_TRACE === '1') process.stderr.write(`assent: running ${compiled ? 'dist/cli.js' : 'src/ through tsx'}\n`);
if (compiled) {
  // By URL: dist/ is not a source (it is built, and absent from a fresh clone).
  await import(new URL('../dist/cli.js', import.meta.url).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
