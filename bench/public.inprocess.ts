// Issue 15, point 12, in one process: FormsService.submit called directly (no HTTP), CONCURRENCY
// callers at once, each submission its own address and client, on a fresh SQLite file, then on
// PostgreSQL (DATABASE_URL's, else a throwaway cluster; BENCH_SQLITE / BENCH_POSTGRES=off skip
// either). Prints µs of this process's CPU per submission and submissions per second: what the
// submission path itself costs, apart from Fastify and the load generator. BENCH_N (default
// 4000), BENCH_CONCURRENCY (default 32).
//   node --import tsx bench/public.inprocess.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/log.ts';
import type { Db } from '../src/modules/database.ts';
import { createServices, migrate } from '../src/services.ts';
import { pgServer, scratchDatabase } from './pg.ts';

const N = Number(process.env.BENCH_N ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

async function run(url: string): Promise<void> {
  const db = connect(url) as Db;
  try {
    await migrate(db);
    const s = createServices(loadConfig({ DATABASE_URL: url }), db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
    const lists = [(await s.lists.create({ name: 'Newsletter' })).id];
    const form = await s.forms.create({
      name: 'Sign-up',
      fields: [
        { name: 'email', label: 'Email', maps: 'email', required: true, type: 'email' },
        { name: 'name', label: 'First name', maps: 'firstName', maxLength: 100 },
        { name: 'lists', label: 'Send me these', maps: 'lists', type: 'checkbox', listIds: lists },
      ],
    });
    let next = 0;
    const one = async (i: number) =>
      s.forms.submit(form.id, { email: `p${i}@bench.example`, name: `P${i}`, lists }, { ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}` });
    // A warm-up (prepared statements, JIT), then the measured run.
    for (let i = 0; i < 200; i++) await one(N + i);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) await one(next++);
      }),
    );
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const stored = Number(
      (
        await db.kysely
          .selectFrom('form_submissions')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    console.log(
      `${db.dialect}: ${N} submissions, ${CONCURRENCY} at once: ${Math.round((cpu.user + cpu.system) / N)} µs CPU/submission, ` +
        `${Math.round((N / ms) * 1000)} submissions/s (${stored - 200} stored); load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    await s.mail.close();
    await s.erasure.close();
  } finally {
    await db.close();
  }
}

if (process.env.BENCH_SQLITE !== 'off') {
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-inproc-'));
  try {
    await run(`sqlite:${join(dir, 'p.db')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const server = await pgServer('public in-process');
if (server) {
  try {
    await scratchDatabase(server.url, run);
  } finally {
    server.stop();
  }
}
