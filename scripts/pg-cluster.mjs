// Starts and stops a throwaway PostgreSQL cluster for tests and benchmarks. Plain JS so the
// test runner can use it before TypeScript is loaded.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function findPgBin() {
  if (process.env.PGBIN && existsSync(join(process.env.PGBIN, 'initdb'))) return process.env.PGBIN;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(bin, args) {
  const cmd = isRoot ? 'runuser' : bin;
  const full = isRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  const r = spawnSync(cmd, full, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** run() without blocking the caller's event loop: a test keeps driving load while the server stops or starts. */
function runAsync(bin, args) {
  const cmd = isRoot ? 'runuser' : bin;
  const full = isRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  return new Promise((resolve, reject) => {
    execFile(cmd, full, { encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`${bin} ${args.join(' ')} failed: ${stderr || stdout || err.message}`)) : resolve(stdout),
    );
  });
}

/**
 * Returns { url, dir, data, stop(), pause(mode), resume() } or null when no server binaries are
 * installed. `data` is the cluster's data directory: tests that check what reaches the files (an
 * erasure's storage purge) read it.
 * pause() stops the server and keeps its data (mode `fast`: sessions are told the server shuts
 * down; `immediate`: they are cut, as in a crash); resume() starts it again on the same port.
 * Both return promises and leave the caller's event loop running meanwhile.
 */
export async function startCluster({ fsyncOff = true, sharedBuffers = '256MB' } = {}) {
  const bin = findPgBin();
  if (!bin) return null;
  const dir = mkdtempSync(join(tmpdir(), 'assent-pg-'));
  if (isRoot) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      throw new Error('running as root but there is no "postgres" user to own the cluster');
    }
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const opts = [`-k ${dir}`, `-p ${port}`, '-c listen_addresses=127.0.0.1', '-c max_connections=200', `-c shared_buffers=${sharedBuffers}`];
  if (fsyncOff) opts.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
  const startArgs = ['-D', data, '-l', join(dir, 'log'), '-w', '-o', opts.join(' '), 'start'];
  run(join(bin, 'pg_ctl'), startArgs);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    data,
    async pause(mode = 'fast') {
      await runAsync(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop']);
    },
    async resume() {
      await runAsync(join(bin, 'pg_ctl'), startArgs);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
