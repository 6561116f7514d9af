// Issue 16, point 9: N contacts (200,000) through a four-tile journey — condition → email → list
// join → end — on SQLite (one worker) and PostgreSQL (two workers), against the job queue's raw
// claim-and-complete rate on the same kind of database in the same run.
// Per database: N eligible contacts made in SQL (consent level 4 or 5, adults, so every one
// enters); a segment of all of them, a message, a list; the journey created and set live through
// the real JourneysService (a segment trigger: going live enqueues the admission). Admission is
// timed on its own: this process runs the `journeys.admit` chain (1,000 contacts a page) to the
// end with the real handler. Then the steps: worker processes (bench/journeys.worker.ts, the
// services composed on the same DATABASE_URL, a job Worker for the journeys queues only, one run
// at a time each) are forked — one on SQLite (the one writer: a second would only wait for the
// lock; a process of its own like `assent worker`, so this process's polling does not share its
// event loop), two on PostgreSQL — and timed from the go to the last run job's finish
// (jobs.finished_at). The email tile makes send rows and `email.batch` jobs, which stay queued:
// the email pipeline is bench/send.bench.ts's. Then checked: every position done, steps =
// 4 × N (+ N start steps recorded at admission), send rows = N, list members = N.
// The baseline: bench/jobs.raw.ts's raw driver statements, RAW jobs (200,000) enqueued, then
// claimed in batches of 500 and completed, on the same database after the journey; the ratio
// is steps/s to raw claim-and-complete jobs/s (a step and a job each one unit of queued work).
// BENCH_JOURNEY_CONTACTS overrides N, BENCH_JOURNEY_RAW the raw jobs, BENCH_JOURNEY_WORKERS_PG
// the PostgreSQL worker processes (2); BENCH_POSTGRES=off skips PostgreSQL, BENCH_SQLITE=off
// SQLite; BENCH_PROF=<dir> runs the worker processes with --cpu-prof into <dir>.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import { Worker } from '../src/jobs/worker.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/log.ts';
import type { Db } from '../src/modules/database.ts';
import { BATCH_QUEUE } from '../src/modules/email/engine.jobs.ts';
import { ADMIT_QUEUE, RUN_QUEUE } from '../src/modules/journeys/journeys.jobs.ts';
import { createServices, jobHandlers, migrate, type Services } from '../src/services.ts';
import { rawPostgres, rawSqlite } from './jobs.raw.ts';
import { pgServer, scratchDatabase } from './pg.ts';

const N = Number(process.env.BENCH_JOURNEY_CONTACTS ?? 200_000);
const RAW = Number(process.env.BENCH_JOURNEY_RAW ?? 200_000);
const PG_WORKERS = Math.max(1, Number(process.env.BENCH_JOURNEY_WORKERS_PG ?? 2));
const RAW_BATCH = 500;
const RAW_QUEUE = 'bench.raw';
/** The journey's tiles after the start: condition, email, list, end — each a step per contact. */
const TILES = ['c', 'e', 'l', 'end'];
const GOAL = { sqlite: 20_000, postgres: 10_000, ratio: 0.5 };

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** N contacts every journey lets in: adults (a birth date, no child flag), level 4 or 5, ids shaped as ids. */
async function population(db: Db, now: string): Promise<void> {
  const cols =
    'id, email, first_name, last_name, phone, country, language, birth_date, is_child, guardian_consent, consent_level, created_at, ' +
    'updated_at';
  if (db.sqlite) {
    db.sqlite.exec(
      `with recursive s(x) as (select 1 union all select x + 1 from s where x < ${N})
       insert into contacts (${cols})
       select printf('01900000-0000-7000-8000-%012d', x), 'user' || x || '@example.com', 'Name' || (x % 1000), 'Family' || x,
         '+49 30 ' || (1000000 + x), 'DE', 'de', '1980-01-01', 0, 0, 4 + x % 2, '${now}', '${now}' from s`,
    );
    db.sqlite.exec('insert into contact_emails (email_key, dup, contact_id) select email, 0, id from contacts');
    db.sqlite.exec('analyze');
  } else {
    await db.pool!.query(
      `insert into contacts (${cols})
       select '01900000-0000-7000-8000-' || lpad(x::text, 12, '0'), 'user' || x || '@example.com', 'Name' || (x % 1000), 'Family' || x,
         '+49 30 ' || (1000000 + x), 'DE', 'de', '1980-01-01', 0, 0, 4 + x % 2, '${now}', '${now}' from generate_series(1, ${N}) x`,
    );
    await db.pool!.query('insert into contact_emails (email_key, dup, contact_id) select email, 0, id from contacts');
    await db.pool!.query('vacuum analyze');
  }
}

/** The message, the segment of everyone, the list; the journey created and set live through the JourneysService. */
async function journey(s: Services): Promise<{ id: string; listId: string }> {
  const message = await s.messages.create({
    name: 'Welcome',
    purpose: 'marketing',
    subject: 'Welcome, {{ contact.firstName }}',
    html: '<p>Welcome.</p><a href="{{ unsubscribe_url }}">Unsubscribe</a>',
  });
  const segment = await s.segments.create({ name: 'everyone', kind: 'dynamic', filter: { field: 'email', op: 'contains', value: '@' } });
  const list = await s.lists.create({ name: 'Welcomed' });
  const j = await s.journeys.create({
    name: 'Welcome',
    requiredConsent: 4,
    tiles: [
      { id: 'start', type: 'start', trigger: { segmentId: segment.id }, next: 'c' },
      { id: 'c', type: 'condition', filter: { field: 'language', op: '=', value: 'de' }, yes: 'e', no: 'end' },
      { id: 'e', type: 'email', messageId: message.id, next: 'l' },
      { id: 'l', type: 'list', action: 'join', listId: list.id, next: 'end' },
      { id: 'end', type: 'end' },
    ],
  });
  await s.journeys.update(j.id, { state: 'live' });
  return { id: j.id, listId: list.id };
}

/** The admission chain the going live enqueued, run here to its end with the real handler. */
async function admit(s: Services): Promise<void> {
  const worker = new Worker(s.jobs, {
    id: 'bench-admit',
    queues: { [ADMIT_QUEUE]: jobHandlers(s)[ADMIT_QUEUE]! },
    batchSize: 1,
    concurrency: 1,
  });
  while ((await worker.runOnce()) > 0);
}

/** Forks a worker process and waits until it has composed its services. */
async function worker(url: string): Promise<ChildProcess> {
  const prof = process.env.BENCH_PROF;
  const p = fork(new URL('journeys.worker.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx', ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [])],
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    p.once('message', () => resolve());
    p.once('exit', (code) => reject(new Error(`bench/journeys.worker.ts exited (${code}) before it was ready`)));
  });
  return p;
}

async function stopWorker(p: ChildProcess): Promise<number> {
  const exited = new Promise((resolve) => p.once('exit', resolve));
  const cpu = new Promise<number>((resolve) => p.once('message', (m) => resolve((m as { cpu: number }).cpu)));
  p.send({ cmd: 'stop' });
  const used = await cpu;
  await exited;
  return used;
}

const count = async (db: Db, sqlText: string, params: unknown[]): Promise<number> => {
  if (db.sqlite) return Number((db.sqlite.prepare(sqlText).get(...params) as { n: number }).n);
  let i = 0;
  const r = await db.pool!.query(
    sqlText.replace(/\?/g, () => `$${++i}`),
    params,
  );
  return Number(r.rows[0].n);
};

/** Runs the steps: workers forked and started together, timed to the last run job's finish. */
async function steps(db: Db, url: string, workers: number): Promise<{ ms: number; cpuUs: number }> {
  const procs = await Promise.all(Array.from({ length: workers }, () => worker(url)));
  const t0 = Date.now();
  for (const p of procs) p.send({ cmd: 'go' });
  // Done when no run job is left to run (a chain ends when its journey has nothing due).
  for (;;) {
    await sleep(100);
    const left = await count(db, `select count(*) as n from jobs where queue = ? and status in ('queued', 'running')`, [RUN_QUEUE]);
    if (left === 0) break;
  }
  const cpuUs = (await Promise.all(procs.map(stopWorker))).reduce((a, b) => a + b, 0);
  const end = db.sqlite
    ? (db.sqlite.prepare('select max(finished_at) as at from jobs where queue = ?').get(RUN_QUEUE) as { at: string }).at
    : (await db.pool!.query('select max(finished_at) as at from jobs where queue = $1', [RUN_QUEUE])).rows[0].at;
  return { ms: Date.parse(end) - t0, cpuUs };
}

interface Check {
  problems: string[];
  steps: number;
  summary: string;
}

/** What the journey left: every position done, its steps, sends, list members and jobs. */
async function verify(db: Db, journeyId: string, listId: string): Promise<Check> {
  const problems: string[] = [];
  const positions = await count(db, 'select count(*) as n from journey_positions where journey_id = ?', [journeyId]);
  const done = await count(db, `select count(*) as n from journey_positions where journey_id = ? and status = 'done'`, [journeyId]);
  if (positions !== N || done !== N) problems.push(`${fmt(done)} of ${fmt(positions)} positions done, expected ${fmt(N)}`);
  let steps = 0;
  for (const tile of ['start', ...TILES]) {
    const n = await count(db, 'select count(*) as n from journey_steps where journey_id = ? and tile_id = ?', [journeyId, tile]);
    if (n !== N) problems.push(`${fmt(n)} steps at ${tile}, expected ${fmt(N)}`);
    if (tile !== 'start') steps += n;
  }
  const all = await count(db, 'select count(*) as n from journey_steps where journey_id = ?', [journeyId]);
  if (all !== steps + N) problems.push(`${fmt(all)} steps in all, expected ${fmt(steps + N)}`);
  const sends = await count(db, 'select count(*) as n from sends where origin like ?', [`journey:${journeyId}:e:%`]);
  if (sends !== N) problems.push(`${fmt(sends)} send rows, expected ${fmt(N)}`);
  const members = await count(db, 'select count(*) as n from list_members where list_id = ?', [listId]);
  if (members !== N) problems.push(`${fmt(members)} list members, expected ${fmt(N)}`);
  const batches = await count(db, `select count(*) as n from jobs where queue = ? and status = 'queued'`, [BATCH_QUEUE]);
  const runs = await count(db, 'select count(*) as n from jobs where queue = ?', [RUN_QUEUE]);
  const retried = await count(db, `select count(*) as n from jobs where queue in (?, ?) and (attempts > 1 or status <> 'done')`, [
    RUN_QUEUE,
    ADMIT_QUEUE,
  ]);
  if (retried) problems.push(`${retried} journeys jobs ran more than once or did not end done`);
  return {
    problems,
    steps,
    summary:
      `${fmt(done)} positions done, ${fmt(steps)} steps (+${fmt(N)} start steps at admission), ${fmt(sends)} send rows ` +
      `(${fmt(batches)} email.batch jobs queued), ${fmt(members)} list members; ${fmt(runs)} run jobs, ${retried} run again`,
  };
}

/** The whole measurement on one database: population, admission, steps, check, raw baseline. */
async function measure(dialect: 'sqlite' | 'postgres', url: string, workers: number): Promise<void> {
  const loadBefore = load();
  const db = connect(url);
  await migrate(db);
  const s = createServices(loadConfig({ ...process.env, DATABASE_URL: url }), db, systemClock, createLogger('silent'));
  try {
    await s.settings.ensureDefaults();
    const tPop = performance.now();
    await population(db, new Date().toISOString());
    const popMs = performance.now() - tPop;
    const j = await journey(s);
    const tAdmit = performance.now();
    await admit(s);
    const admitMs = performance.now() - tAdmit;
    const entered = await count(db, `select count(*) as n from journey_positions where journey_id = ? and status = 'active'`, [j.id]);
    if (entered !== N) throw new Error(`journeys ${dialect}: ${entered} of ${N} contacts entered`);
    const run = await steps(db, url, workers);
    const check = await verify(db, j.id, j.listId);
    const rate = check.steps / (run.ms / 1000);

    // The baseline, on this database, with the raw driver.
    let raw: { enqueueMs: number; workMs: number };
    if (db.sqlite) raw = rawSqlite(db.sqlite, RAW_QUEUE, RAW, RAW_BATCH, 600_000);
    else {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        raw = await rawPostgres(client, RAW_QUEUE, RAW, RAW_BATCH, 600_000);
      } finally {
        await client.end();
      }
    }
    const rawRate = RAW / (raw.workMs / 1000);
    const ratio = rate / rawRate;
    const goal = GOAL[dialect];
    const tag = `journeys ${dialect}:`;
    console.log(
      `${tag} ${fmt(rate)} steps/s — ${fmt(check.steps)} steps in ${secs(run.ms)}, ${workers} worker process${workers > 1 ? 'es' : ''} ` +
        `(their CPU ${secs(run.cpuUs / 1000)}, ${(run.cpuUs / check.steps).toFixed(1)} µs/step)`,
    );
    console.log(
      `${tag} admission ${secs(admitMs)} (${fmt(N / (admitMs / 1000))} contacts/s, ${fmt(N)} entered); population in SQL ${secs(popMs)}`,
    );
    console.log(
      `${tag} raw claim-and-complete ${fmt(rawRate)} jobs/s (${fmt(RAW)} jobs, batch ${RAW_BATCH}: claim/complete ${secs(raw.workMs)}, ` +
        `enqueue ${secs(raw.enqueueMs)}); ratio steps/raw ${ratio.toFixed(2)}`,
    );
    console.log(
      `${tag} goal ≥ ${fmt(goal)} steps/s: ${rate >= goal ? 'MET' : 'MISSED'}; goal ≥ 50 % of raw: ` +
        `${ratio >= GOAL.ratio ? 'MET' : 'MISSED'}`,
    );
    console.log(`${tag} checked: ${check.summary}`);
    console.log(`${tag} load average before ${loadBefore}, after ${load()}`);
    if (check.problems.length) throw new Error(`${tag} ${check.problems.join('; ')}`);
  } finally {
    await s.close();
  }
}

async function sqlite(): Promise<void> {
  if (process.env.BENCH_SQLITE === 'off') return console.log('journeys sqlite: SKIPPED (BENCH_SQLITE=off)');
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-journeys-'));
  try {
    await measure('sqlite', `sqlite:${join(dir, 'journeys.db')}`, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<void> {
  const server = await pgServer('journeys');
  if (!server) return;
  try {
    await scratchDatabase(server.url, (url) => measure('postgres', url, PG_WORKERS));
  } finally {
    server.stop();
  }
}

export async function run(): Promise<void> {
  console.log(
    `${fmt(N)} contacts through start → condition → email (to the outbox) → list join → end; SQLite 1 worker process, PostgreSQL ` +
      `${PG_WORKERS}; baseline: raw claim-and-complete of ${fmt(RAW)} jobs; load average ${load()}`,
  );
  await sqlite();
  await postgres();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
