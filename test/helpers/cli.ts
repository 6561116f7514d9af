import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = new URL('../../bin/assent.js', import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `assent ARGS…` as an operator would, against the database at `url`; never throws on a non-zero exit. */
export async function assent(url: string, ...args: string[]): Promise<CliResult> {
  return assentWith({}, url, ...args);
}

/** `assent ARGS…` with extra environment variables (a ledger key, say). */
export async function assentWith(env: Record<string, string>, url: string, ...args: string[]): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, DATABASE_URL: url, LOG_LEVEL: 'silent' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
