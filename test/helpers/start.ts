import { spawn } from 'node:child_process';

const BIN = new URL('../../bin/assent.js', import.meta.url).pathname;

export interface StartedAssent {
  base: string;
  out: () => string;
  stop: () => Promise<void>;
}

/**
 * Runs `assent start --port 0` (a port the system picks) in `cwd` until it says where it runs and
 * `ready` holds for its output; returns the base URL, the output so far and a stop function.
 */
export async function startAssent(
  cwd: string,
  opts: { env?: Record<string, string>; ready?: (out: string) => boolean } = {},
): Promise<StartedAssent> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0'], {
    cwd,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m && /Health/.test(out) && (opts.ready?.(out) ?? true)) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
  return {
    base,
    out: () => out,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
