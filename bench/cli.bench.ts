// `npm run bench cli`: how long `assent --help` and `assent --version` take to start and end, run
// as an operator runs them (bin/assent.js: the compiled dist/, built first), against the sources
// through tsx (how bin ran them before issue 12, and how it runs them when a source is newer than
// the build). The goal: under 0.5 s for `--help` on the project's 2-core machine. ASSENT_BENCH_RUNS
// sets the runs per case (default 7); the median is the figure, the fastest says what the machine
// allows when nothing else runs.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.ASSENT_BENCH_RUNS ?? 7);

function time(args: string[]): { median: number; min: number } {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { cwd: root, stdio: 'ignore', env: { ...process.env, ASSENT_CLI_TRACE: '' } });
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, min: ms[0]! };
}

export async function run(): Promise<void> {
  if (!(await build({ quiet: true }))) throw new Error('esbuild is missing: nothing to measure');
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  for (const flag of ['--help', '--version']) {
    const compiled = time(['bin/assent.js', flag]);
    const sources = time(['--import', 'tsx', 'src/cli/main.ts', flag]);
    console.log(
      `assent ${flag.padEnd(9)} compiled ${s(compiled.median)} (fastest ${s(compiled.min)})   sources through tsx ` +
        `${s(sources.median)} (fastest ${s(sources.min)})   ${(sources.median / compiled.median).toFixed(1)}x faster` +
        (flag === '--help' ? `   goal < 0.50 s: ${compiled.median < 500 ? 'met' : 'MISSED'}` : ''),
    );
  }
}
