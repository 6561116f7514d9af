// Issue 15, point 12: form submissions over HTTP. The real Assent server (bench/public.serve.ts,
// a child process: startServer with its default logging, a SQLite file database, then PostgreSQL)
// takes POST /public/v1/forms/{id} from autocannon in a second process (bench/public.load.ts) on
// loopback: N connections, a warm-up, then a measured run of fixed length, every request a body of
// its own. Against, in the same run and the same way, plain Fastify with one route that checks the
// same body against the same JSON schema and inserts one row with the raw driver
// (bench/public.raw.ts). Prints req/s, p50/p99 latency, non-2xx and errors (must be 0), the ratio
// and the goals, and each server's CPU time per request (the load on a shared machine changes
// req/s from run to run; what a request costs changes much less); then checks the rows really
// stored (submissions, their waiting changes, their queued jobs) against what was sent, so
// neither side can pass by refusing work.
// The per-client limit stays on and in the database: the clients are many addresses behind a
// proxy the app is told to trust (ASSENT_TRUST_PROXY=127.0.0.1), each sending a few forms.
// BENCH_CONNECTIONS (default 32), BENCH_WARMUP / BENCH_DURATION (seconds, default 3 / 10),
// BENCH_ROUNDS (runs per side, alternating; best kept; default 2), BENCH_SQLITE=off, BENCH_POSTGRES=off,
// BENCH_PROF=<dir> (the app's server with --cpu-prof into <dir>; /work/tools/prof.mjs reads it).
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../src/services.ts';
import { connect } from '../src/db/connect.ts';
import { PER_ADDRESS } from '../src/modules/forms/forms.service.ts';
import type { LoadJob, LoadResult } from './public.load.ts';
import { pgServer, scratchDatabase } from './pg.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const GOAL = { rps: 8_000, p99: 25, ratio: 0.75 };

type Counts = { submissions: number; confirmations?: number; jobs?: number };

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Forks a bench child and waits for its first message (`ready`). */
async function child(
  file: string,
  env: Record<string, string>,
  execArgv: string[] = [],
): Promise<{ p: ChildProcess; ready: Record<string, unknown> }> {
  const p = fork(new URL(file, import.meta.url), [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, ...env },
    // The server's request log goes nowhere, as it would to a log collector: written, not read.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    p.once('message', (m) => resolve(m as Record<string, unknown>));
    p.once('exit', (code) => reject(new Error(`bench/${file} exited (${code}) before it was ready`)));
  });
  return { p, ready };
}

const ask = <T>(p: ChildProcess, cmd: string) =>
  new Promise<T>((resolve) => {
    p.once('message', (m) => resolve(m as T));
    p.send({ cmd });
  });

async function stop(p: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => p.once('exit', resolve));
  p.send({ cmd: 'stop' });
  await gone;
}

async function drive(job: LoadJob): Promise<LoadResult> {
  const p = fork(new URL('public.load.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = new Promise<LoadResult>((resolve, reject) => {
    p.once('message', (m) => resolve(m as LoadResult));
    p.once('exit', (code) => reject(new Error(`the load generator exited (${code}) without figures`)));
  });
  p.send(job);
  return result;
}

interface Side {
  r: LoadResult;
  counts: Counts;
  /** The server process's CPU time per request sent (µs): what a request costs, whatever share of the machine it got. */
  cpuPerRequest: number;
}

/** One side's run on a fresh database: start its server, drive it, count what it stored, stop it. */
async function side(kind: 'app' | 'raw', url: string): Promise<Side> {
  const prof = process.env.BENCH_PROF;
  const { p, ready } =
    kind === 'app'
      ? await child(
          'public.serve.ts',
          { DATABASE_URL: url, ASSENT_TRUST_PROXY: '127.0.0.1', ASSENT_WORKER: 'off', PORT: '0', HOST: '127.0.0.1' },
          prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [],
        )
      : await child('public.raw.ts', { BENCH_RAW_DB: url });
  try {
    const cpu0 = (await ask<{ cpu: number }>(p, 'cpu')).cpu;
    const formId = (ready.formId as string | undefined) ?? '01900000-0000-7000-8000-0000000000f0';
    const r = await drive({
      url: ready.url as string,
      path: `/public/v1/forms/${formId}`,
      listIds: (ready.listIds as string[] | undefined) ?? ['01900000-0000-7000-8000-0000000000a1', '01900000-0000-7000-8000-0000000000a2'],
      known: (ready.known as number | undefined) ?? 1000,
      connections: CONNECTIONS,
      warmupS: WARMUP_S,
      durationS: DURATION_S,
      perAddress: kind === 'app' ? PER_ADDRESS.max : 1e9,
    });
    // Requests the load generator had sent when it stopped are still being answered: let them land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cpu = (await ask<{ cpu: number }>(p, 'cpu')).cpu - cpu0;
    const { count } = await ask<{ count: Counts }>(p, 'count');
    return { r, counts: count, cpuPerRequest: cpu / r.sent };
  } finally {
    await stop(p);
  }
}

/** What was stored must be what was sent and not dropped by design (at most the connections' last requests lost in flight). */
function verify(kind: string, s: Side): string[] {
  const problems: string[] = [];
  const { r, counts } = s;
  if (r.non2xx || r.errors || r.timeouts) problems.push(`${kind}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  const low = r.storable - CONNECTIONS;
  if (counts.submissions < low || counts.submissions > r.storable)
    problems.push(`${kind}: ${counts.submissions} submissions stored, expected ${low}…${r.storable} of ${r.sent} sent`);
  if (counts.confirmations !== undefined && counts.confirmations !== counts.submissions)
    problems.push(`${kind}: ${counts.confirmations} waiting changes for ${counts.submissions} submissions`);
  if (counts.jobs !== undefined && counts.jobs !== counts.submissions)
    problems.push(`${kind}: ${counts.jobs} queued jobs for ${counts.submissions} submissions`);
  return problems;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const describe = (s: Side) =>
  `${fmt(s.r.rps).padStart(6)} req/s  p50 ${s.r.p50.toFixed(1).padStart(5)} ms  p99 ${s.r.p99.toFixed(1).padStart(5)} ms  ` +
  `server CPU ${fmt(s.cpuPerRequest)} µs/request  (non-2xx ${s.r.non2xx}, errors ${s.r.errors + s.r.timeouts}; ` +
  `${fmt(s.counts.submissions)} rows of ${fmt(s.r.sent)} sent)`;

/** ROUNDS runs per side, app and raw in turn (load that comes and goes hits both alike); the best req/s of each is kept. */
async function measure(dialect: 'sqlite' | 'postgres', fresh: <T>(body: (url: string) => Promise<T>) => Promise<T>): Promise<void> {
  let app: Side | null = null;
  let raw: Side | null = null;
  const problems: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = await fresh((url) => side('app', url));
    const b = await fresh((url) => side('raw', url));
    problems.push(...verify('app', a), ...verify('raw', b));
    console.log(
      `  round ${round + 1}: app ${fmt(a.r.rps)} req/s p99 ${a.r.p99} ms ${fmt(a.cpuPerRequest)} µs CPU/request, raw ` +
        `${fmt(b.r.rps)} req/s p99 ${b.r.p99} ms ${fmt(b.cpuPerRequest)} µs CPU/request; load ${load()}`,
    );
    if (!app || a.r.rps > app.r.rps) app = a;
    if (!raw || b.r.rps > raw.r.rps) raw = b;
  }
  const ratio = app!.r.rps / raw!.r.rps;
  const cpuRatio = raw!.cpuPerRequest / app!.cpuPerRequest;
  const met = app!.r.rps >= GOAL.rps && app!.r.p99 <= GOAL.p99 && ratio >= GOAL.ratio;
  console.log(`public ${dialect}: app  ${describe(app!)}`);
  console.log(`public ${dialect}: raw  ${describe(raw!)}`);
  console.log(
    `public ${dialect}: ratio ${ratio.toFixed(2)} (by server CPU per request ${cpuRatio.toFixed(2)}); goal ≥ ${fmt(GOAL.rps)} ` +
      `req/s, p99 ≤ ${GOAL.p99} ms, ratio ≥ ${GOAL.ratio}: ` +
      `${met ? 'met' : 'MISSED'}`,
  );
  if (problems.length) throw new Error(`public ${dialect}: ${problems.join('; ')}`);
}

async function sqlite(): Promise<void> {
  if (process.env.BENCH_SQLITE === 'off') return console.log('public sqlite: SKIPPED (BENCH_SQLITE=off)');
  await measure('sqlite', async (body) => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-bench-public-'));
    try {
      return await body(`sqlite:${join(dir, 'public.db')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function postgres(): Promise<void> {
  const server = await pgServer('public');
  if (!server) return;
  try {
    await measure('postgres', (body) =>
      scratchDatabase(server.url, async (url) => {
        // Migrated here, so both sides start from the same schema and the app's start is not timed into anything.
        const db = connect(url);
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
        return body(url);
      }),
    );
  } finally {
    server.stop();
  }
}

export async function run(): Promise<void> {
  console.log(
    `POST /public/v1/forms/{id} over loopback, autocannon in a second process: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up, ` +
      `${DURATION_S} s measured, best of ${ROUNDS} per side; load average ${load()}`,
  );
  await sqlite();
  await postgres();
  console.log(`  load average after: ${load()}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
