// Enqueue, claim and complete N jobs through JobQueue, against the same statements sent to the
// raw driver (bench/jobs.raw.ts), on SQLite (a temp file in WAL mode) and PostgreSQL.
// BENCH_JOBS overrides N, BENCH_ROUNDS the runs per side (best is kept); DATABASE_URL=postgres://…
// uses that server instead of a throwaway one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect } from '../src/db/connect.ts';
import type { Db } from '../src/modules/database.ts';
import { migrate } from '../src/services.ts';
import { systemClock } from '../src/lib/clock.ts';
import { JobQueue } from '../src/jobs/queue.ts';
import { rawPostgres, rawSqlite, type Cycle } from './jobs.raw.ts';
import { pgServer, scratchDatabase } from './pg.ts';

const N = Number(process.env.BENCH_JOBS ?? 100_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const BATCH = 500;
const LEASE_MS = 600_000;
const QUEUE = 'bench';

async function appCycle(db: Db): Promise<Cycle> {
  const queue = new JobQueue(db, systemClock);
  const t0 = performance.now();
  const inserted = await queue.enqueueMany(
    QUEUE,
    Array.from({ length: N }, (_, i) => ({ payload: { i } })),
  );
  if (inserted !== N) throw new Error(`app enqueued ${inserted} of ${N}`);
  const t1 = performance.now();
  let done = 0;
  for (;;) {
    const jobs = await queue.claim(QUEUE, 'app-worker', { limit: BATCH, leaseMs: LEASE_MS });
    if (jobs.length === 0) break;
    done += await queue.completeMany(jobs, 'app-worker');
  }
  if (done !== N) throw new Error(`app completed ${done} of ${N}`);
  return { enqueueMs: t1 - t0, workMs: performance.now() - t1 };
}

/**
 * Best of ROUNDS for each side, on a fresh database every time, alternating which goes first:
 * on a shared machine the slowest runs measure the neighbours, not the code.
 */
async function rounds(app: () => Promise<Cycle>, raw: () => Promise<Cycle>): Promise<[Cycle, Cycle]> {
  const total = (c: Cycle) => c.enqueueMs + c.workMs;
  const best = (a: Cycle | null, b: Cycle) => (a && total(a) <= total(b) ? a : b);
  let bestApp: Cycle | null = null;
  let bestRaw: Cycle | null = null;
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      bestRaw = best(bestRaw, await raw());
      bestApp = best(bestApp, await app());
    } else {
      bestApp = best(bestApp, await app());
      bestRaw = best(bestRaw, await raw());
    }
  }
  return [bestApp!, bestRaw!];
}

function report(dialect: string, app: Cycle, raw: Cycle): void {
  const rate = (c: Cycle) => N / ((c.enqueueMs + c.workMs) / 1000);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const phases = (c: Cycle) => `enqueue ${fmt(c.enqueueMs)} ms + claim/complete ${fmt(c.workMs)} ms`;
  console.log(`jobs ${dialect}: app ${fmt(rate(app))} jobs/s, raw ${fmt(rate(raw))} jobs/s, ratio ${(rate(app) / rate(raw)).toFixed(2)}`);
  console.log(`  app: ${phases(app)}; raw: ${phases(raw)}`);
}

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-'));
  try {
    const fresh = async (name: string) => {
      const db = connect(`sqlite:${join(dir, name)}`);
      await migrate(db);
      return db;
    };
    let k = 0;
    const [app, raw] = await rounds(
      async () => {
        const db = await fresh(`app${k++}.db`);
        try {
          return await appCycle(db);
        } finally {
          await db.close();
        }
      },
      async () => {
        const db = await fresh(`raw${k++}.db`);
        try {
          return rawSqlite(db.sqlite!, QUEUE, N, BATCH, LEASE_MS);
        } finally {
          await db.close();
        }
      },
    );
    report('sqlite', app, raw);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<void> {
  const server = await pgServer('jobs');
  if (!server) return;
  const scratch = <T>(body: (url: string) => Promise<T>) => scratchDatabase(server.url, body);
  try {
    const [app, raw] = await rounds(
      () =>
        scratch(async (url) => {
          const db = connect(url);
          try {
            await migrate(db);
            return await appCycle(db);
          } finally {
            await db.close();
          }
        }),
      () =>
        scratch(async (url) => {
          const db = connect(url);
          await migrate(db);
          await db.close();
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            return await rawPostgres(client, QUEUE, N, BATCH, LEASE_MS);
          } finally {
            await client.end();
          }
        }),
    );
    report('postgres', app, raw);
  } finally {
    server.stop();
  }
}

export async function run(): Promise<void> {
  console.log(`${N.toLocaleString('en-US')} jobs: enqueue in bulk, claim in batches of ${BATCH}, complete each batch (best of ${ROUNDS})`);
  await sqlite();
  await postgres();
}
