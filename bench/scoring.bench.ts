// Issue 17, point 7: a bulk recompute of one model with five rules (a contact condition, a lead
// condition, two behaviour rules with windows and atLeast — one with a decay — and a negative
// one; bench/scoring.raw.ts's MODEL) over 1,000,000 contacts with a lead each and 10,000,000
// interactions, on SQLite and PostgreSQL, through ScoringService.recompute; against the same
// scores (with the consent gate's decision: profiling's level, children never) computed by one
// hand-written INSERT … SELECT on the raw driver, in the same run, on the same data.
// The data set (bench/scoring.data.ts) is built once per dialect and kept (BENCH_CACHE, default
// /var/tmp/assent-bench: an SQLite file and a template database on a kept cluster); each run
// works on a copy. The baseline runs first, then the product, both into lead_scores (the
// baseline under a model row of its own); then every lead's two rows are compared (score,
// grade, sales-ready, reason, ready or not): the run fails on any difference.
// ASSENT_BENCH_SCALE (default 1) scales contacts and interactions (0.05: 50,000 and 500,000);
// BENCH_SQLITE=off / BENCH_POSTGRES=off skip a database; BENCH_SCORING_EXPLAIN=1 prints the
// baseline's plan, BENCH_SCORING_TRACE=1 the product's statements that took longest.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import { createLogger } from '../src/lib/log.ts';
import type { Db } from '../src/modules/database.ts';
import { majorityCutoff } from '../src/modules/consent/gate.ts';
import { createServices, type Services } from '../src/services.ts';
import { pgServer } from './pg.ts';
import { CHILD_CUTOFF, cloneOf, keptCluster, NOW, postgresTemplate, type Shape, sqliteDataset } from './scoring.data.ts';
import { MODEL, rawPostgres, rawSqlite, rawText } from './scoring.raw.ts';

const SCALE = Number(process.env.ASSENT_BENCH_SCALE ?? 1);
const SHAPE: Shape = { contacts: Math.round(1_000_000 * SCALE), events: Math.round(10_000_000 * SCALE) };
/** The whole recompute's time at full scale, and the share of the hand-written SQL's speed. */
const GOAL = { sqlite: 60_000, postgres: 30_000, ratio: 0.5 };
const BASELINE_MODEL = '01960000-0000-7000-8000-000000000001';

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

// ---- the product, behind one function each ----------------------------------------------------

interface RecomputeResult {
  total: number;
  scored: number;
  notScored: number;
  ms: number;
}
type ScoringFace = Services['scoring'];

/** The model made through the service (as POST /api/v1/scoring-models does); its id. */
async function productModel(face: ScoringFace): Promise<string> {
  return (await face.create(structuredClone(MODEL) as unknown as Parameters<ScoringFace['create']>[0])).id;
}

/** The product's bulk recompute of the model, timed from the call to its answer. */
async function productRecompute(face: ScoringFace, modelId: string): Promise<RecomputeResult & { wallMs: number; progress: number }> {
  let progress = 0;
  const t = performance.now();
  const r = await face.recompute(modelId, { onProgress: () => void progress++ });
  return { ...r, wallMs: performance.now() - t, progress };
}

// ---- where the product's time goes (BENCH_SCORING_TRACE=1) --------------------------------------

type Trace = Map<string, { n: number; ms: number }>;

/** Times every statement the app's connections run (the first 100 characters name it). */
function trace(db: Db): Trace {
  const t: Trace = new Map();
  const note = (text: string, ms: number) => {
    const k = text.replace(/\s+/g, ' ').slice(0, 100);
    const e = t.get(k) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += ms;
    t.set(k, e);
  };
  if (db.sqlite) {
    const raw = db.sqlite;
    const prepare = raw.prepare.bind(raw);
    raw.prepare = ((text: string) => {
      const st = prepare(text);
      for (const m of ['run', 'all', 'get'] as const) {
        const f = (st[m] as (...a: unknown[]) => unknown).bind(st);
        (st as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
          const t0 = performance.now();
          try {
            return f(...a);
          } finally {
            note(text, performance.now() - t0);
          }
        };
      }
      return st;
    }) as typeof raw.prepare;
  } else {
    const wrapped = new WeakSet<object>();
    db.pool!.on('acquire', (client) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const q = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...a: unknown[]) => {
        const text = typeof a[0] === 'string' ? a[0] : String((a[0] as { text?: string }).text ?? '?');
        const t0 = performance.now();
        const r = q(...a);
        if (r instanceof Promise) return r.finally(() => note(text, performance.now() - t0));
        return r;
      };
    });
  }
  return t;
}

function printTrace(tag: string, t: Trace): void {
  const top = [...t].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
  for (const [k, v] of top) console.log(`${tag}   ${secs(v.ms).padStart(8)} ${String(v.n).padStart(5)}×  ${k}`);
}

// ---- helpers over both databases ---------------------------------------------------------------

async function rows<T>(db: Db, text: string, params: unknown[] = []): Promise<T[]> {
  if (db.sqlite) {
    const st = db.sqlite.prepare(text);
    if (st.reader) return st.all(...params) as T[];
    st.run(...params);
    return [];
  }
  let i = 0;
  return (
    await db.pool!.query(
      text.replace(/\?/g, () => `$${++i}`),
      params,
    )
  ).rows as T[];
}

/** The baseline's model row (lead_scores' foreign key wants one), written as the product's table has it. */
async function baselineModelRow(db: Db): Promise<void> {
  const at = NOW.toISOString();
  await rows(
    db,
    `insert into scoring_models (id, name, required_level, required_purpose, rules, grades, sales_ready, version, created_at, updated_at)
     values (?, ?, null, ?, ?, ?, ?, 1, ?, ?)`,
    [
      BASELINE_MODEL,
      'Bench baseline ' + '(hand-written SQL)',
      'profiling',
      JSON.stringify(MODEL.rules),
      JSON.stringify(MODEL.grades),
      MODEL.salesReady,
      at,
      at,
    ],
  );
}

/** What one model's rows say: per reason, per grade, sales-ready. */
async function summary(db: Db, modelId: string): Promise<string> {
  const r = await rows<{ reason: string; grade: string | null; ready: number; n: number }>(
    db,
    `select reason, grade, sales_ready as ready, count(*) as n from lead_scores where model_id = ? group by reason, grade, sales_ready
     order by reason, grade, sales_ready`,
    [modelId],
  );
  const by = (f: (x: (typeof r)[number]) => string | null) => {
    const m = new Map<string, number>();
    for (const x of r) {
      const k = f(x);
      if (k !== null) m.set(k, (m.get(k) ?? 0) + Number(x.n));
    }
    return [...m].map(([k, n]) => `${k} ${fmt(n)}`).join(', ');
  };
  return (
    `reasons: ${by((x) => x.reason)}; grades: ${by((x) => (x.reason === 'allowed' ? (x.grade ?? 'none') : null))}; sales-ready ` +
    `${by((x) => (x.ready ? 'yes' : null)) || '0'}`
  );
}

/** Leads whose product row differs from the baseline's, or is missing on either side. */
async function mismatches(db: Db, productModelId: string): Promise<{ differ: number; missing: number; leads: number }> {
  const distinct = (a: string, b: string) => (db.sqlite ? `${a} is not ${b}` : `${a} is distinct from ${b}`);
  const [d] = await rows<{ n: number }>(
    db,
    `select count(*) as n from lead_scores a join lead_scores b on b.model_id = ? and b.lead_id = a.lead_id
     where a.model_id = ? and (${distinct('a.score', 'b.score')} or ${distinct('a.grade', 'b.grade')} or a.sales_ready <> b.sales_ready
       or a.reason <> b.reason or a.contact_id <> b.contact_id or (a.ready_at is null) <> (b.ready_at is null))`,
    [productModelId, BASELINE_MODEL],
  );
  const [m] = await rows<{ n: number }>(
    db,
    `select count(*) as n from leads l where (select count(*) from lead_scores s where s.lead_id = l.id and s.model_id in (?, ?)) <> 2`,
    [productModelId, BASELINE_MODEL],
  );
  const [l] = await rows<{ n: number }>(db, 'select count(*) as n from leads');
  return { differ: Number(d!.n), missing: Number(m!.n), leads: Number(l!.n) };
}

/**
 * The baseline checked against an evaluator in plain JS over the rows read back (small data sets
 * only): so a wrong hand-written statement cannot make the product's agreeing scores look right.
 */
async function checkBaseline(db: Db): Promise<number> {
  const contacts = new Map(
    (
      await rows<{ id: string; country: string | null; birth_date: string | null; is_child: number; consent_level: number }>(
        db,
        'select id, country, birth_date, is_child, consent_level from contacts',
      )
    ).map((c) => [c.id, c]),
  );
  const events = new Map<string, { type: string; ref: string | null; at: string }[]>();
  for (const e of await rows<{ contact_id: string; type: string; ref: string | null; at: string }>(
    db,
    'select contact_id, type, ' + 'ref, at from interactions',
  )) {
    const l = events.get(e.contact_id) ?? [];
    l.push(e);
    events.set(e.contact_id, l);
  }
  const stored = new Map(
    (
      await rows<{ lead_id: string; score: number | null; grade: string | null; reason: string }>(
        db,
        'select lead_id, score, grade, reason from lead_scores where model_id = ?',
        [BASELINE_MODEL],
      )
    ).map((r) => [r.lead_id, r]),
  );
  const now = NOW.getTime();
  let bad = 0;
  for (const l of await rows<{ id: string; contact_id: string; value: number | null }>(db, 'select id, contact_id, value from leads')) {
    const c = contacts.get(l.contact_id)!;
    const child = c.is_child === 1 || (c.birth_date !== null && c.birth_date > CHILD_CUTOFF);
    const reason = child ? 'child_never_profiled' : c.consent_level < 5 ? 'below_required_level' : 'allowed';
    let score: number | null = null;
    if (reason === 'allowed') {
      score = 0;
      for (const r of MODEL.rules as readonly {
        condition?: { field: string; value: unknown };
        behaviour?: { type: string; ref?: string; atLeast?: number; withinDays?: number };
        points: number;
        decayDays?: number;
      }[]) {
        if (r.condition?.field === 'country') score += (r.condition.value as string[]).includes(c.country ?? '') ? r.points : 0;
        else if (r.condition?.field === 'lead.value') score += l.value !== null && l.value >= (r.condition.value as number) ? r.points : 0;
        else if (r.behaviour) {
          const b = r.behaviour;
          const from = b.withinDays === undefined ? '' : new Date(now - b.withinDays * 86_400_000).toISOString();
          const hit = (events.get(l.contact_id) ?? []).filter(
            (e) => e.type === b.type && (b.ref === undefined || e.ref === b.ref) && e.at >= from,
          );
          if (hit.length < (b.atLeast ?? 1)) continue;
          if (!r.decayDays) score += r.points;
          else {
            const age = Math.floor((now - Math.max(...hit.map((e) => Date.parse(e.at)))) / 86_400_000);
            score += age < r.decayDays ? Math.trunc((r.points * (r.decayDays - age)) / r.decayDays) : 0;
          }
        } else throw new Error(`checkBaseline: no evaluator for rule ${JSON.stringify(r)}`);
      }
    }
    const g = MODEL.grades;
    const grade = score === null ? null : score >= g.A ? 'A' : score >= g.B ? 'B' : score >= g.C ? 'C' : score >= g.D ? 'D' : null;
    const s = stored.get(l.id);
    if (!s || s.score !== score || s.grade !== grade || s.reason !== reason) bad++;
  }
  return bad;
}

/** Written pages flushed (a checkpoint), so the next timed side does not pay for the last one's. */
async function settle(db: Db): Promise<void> {
  if (db.sqlite) db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  else await db.pool!.query('checkpoint').catch(() => undefined);
}

async function explainBaseline(db: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const q = { modelId: BASELINE_MODEL, version: 1, now: NOW, childCutoff: CHILD_CUTOFF };
  const { text, params } = rawText(dialect, q);
  const select = text.slice(text.indexOf(' select ') + 1);
  const plan = await rows<Record<string, unknown>>(db, `explain ${dialect === 'sqlite' ? 'query plan ' : ''}${select}`, params);
  for (const p of plan) console.log(`    ${dialect === 'sqlite' ? `${p.id}<${p.parent} ${p.detail}` : p['QUERY PLAN']}`);
}

// ---- one database -------------------------------------------------------------------------------

async function measure(dialect: 'sqlite' | 'postgres', url: string): Promise<void> {
  const tag = `scoring ${dialect}:`;
  const loadBefore = load();
  const db = connect(url);
  const s = createServices(loadConfig({ ...process.env, DATABASE_URL: url }), db, { now: () => NOW }, createLogger('silent'));
  try {
    await s.settings.ensureDefaults();
    const cutoff = majorityCutoff(NOW, (await s.settings.get()).majorityAge);
    if (cutoff !== CHILD_CUTOFF) throw new Error(`${tag} the settings' children cut-off ${cutoff} is not the data set's ${CHILD_CUTOFF}`);
    const [{ n: leads }] = (await rows<{ n: number }>(db, 'select count(*) as n from leads')) as [{ n: number }];

    // The baseline.
    await baselineModelRow(db);
    if (process.env.BENCH_SCORING_EXPLAIN === '1') await explainBaseline(db, dialect);
    const q = { modelId: BASELINE_MODEL, version: 1, now: NOW, childCutoff: CHILD_CUTOFF };
    // The side that runs first would read a cold copy and the second a warm one: the baseline's
    // SELECT is run once untimed (it reads what both sides read), and a checkpoint before each
    // side keeps one side's writes from being flushed in the other's time.
    const { text: warm, params: warmParams } = rawText(dialect, q);
    await rows(db, `select count(*) as n from (${warm.slice(warm.indexOf(' select ') + 1)}) w`, warmParams);
    await settle(db);
    let t = performance.now();
    let written: number;
    if (db.sqlite) written = rawSqlite(db.sqlite, q);
    else {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        written = await rawPostgres(client, q);
      } finally {
        await client.end();
      }
    }
    const rawMs = performance.now() - t;
    const rawRate = written / (rawMs / 1000);
    console.log(`${tag} hand-written SQL ${fmt(rawRate)} leads/s — ${fmt(written)} rows in ${secs(rawMs)}`);
    console.log(`${tag}   ${await summary(db, BASELINE_MODEL)}`);
    if (SHAPE.contacts <= 100_000) {
      const bad = await checkBaseline(db);
      console.log(`${tag}   the hand-written SQL checked against an evaluator in JS: ${bad} leads differ`);
      if (bad) throw new Error(`${tag} the hand-written SQL's scores are wrong for ${bad} leads`);
    }

    // The product.
    const face = s.scoring;
    const modelId = await productModel(face);
    // Creating a model queues a recompute job; no worker runs here, so only the call below does it.
    await settle(db);
    const traced = process.env.BENCH_SCORING_TRACE === '1' ? trace(db) : null;
    const r = await productRecompute(face, modelId);
    const rate = r.total / (r.wallMs / 1000);
    console.log(
      `${tag} product recompute ${fmt(rate)} leads/s — ${fmt(r.total)} leads in ${secs(r.wallMs)} (reported ${secs(r.ms)}; ` +
        `scored ${fmt(r.scored)}, not scored ${fmt(r.notScored)}; ${r.progress} progress calls)`,
    );
    if (traced) printTrace(tag, traced);
    console.log(`${tag}   ${await summary(db, modelId)}`);
    t = performance.now();
    const check = await mismatches(db, modelId);
    const ratio = rate / rawRate;
    const goal = GOAL[dialect] * (SHAPE.contacts / 1_000_000);
    console.log(
      `${tag} ratio product/hand-written ${ratio.toFixed(2)}; goal ≤ ${secs(goal)}${SCALE !== 1 ? ' (scaled)' : ''}: ` +
        `${r.wallMs <= goal ? 'MET' : 'MISSED'}; goal ≥ 50 % of hand-written: ${ratio >= GOAL.ratio ? 'MET' : 'MISSED'}`,
    );
    console.log(
      `${tag} checked ${fmt(check.leads)} leads: ${check.differ} differ, ${check.missing} without both rows ` +
        `(${secs(performance.now() - t)})`,
    );
    if (r.total !== leads) console.log(`${tag} NOTE the recompute reports ${fmt(r.total)} leads, the table has ${fmt(Number(leads))}`);
    console.log(`${tag} load average before ${loadBefore}, after ${load()}`);
    if (check.differ || check.missing) throw new Error(`${tag} the product's scores differ from the hand-written SQL's`);
  } finally {
    await s.close();
  }
}

async function sqlite(): Promise<void> {
  if (process.env.BENCH_SQLITE === 'off') return console.log('scoring sqlite: SKIPPED (BENCH_SQLITE=off)');
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-scoring-'));
  try {
    const file = await sqliteDataset(SHAPE, dir, (m) => console.log(`scoring sqlite: data set: ${m}`));
    await measure('sqlite', `sqlite:${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<void> {
  const log = (m: string) => console.log(`scoring postgres: data set: ${m}`);
  const given = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');
  // A kept cluster keeps the template between runs; a named server keeps it as a database.
  const server =
    process.env.BENCH_POSTGRES === 'off' || given ? await pgServer('scoring') : ((await keptCluster()) ?? (await pgServer('scoring')));
  if (!server) return;
  try {
    const template = await postgresTemplate(server.url, SHAPE, log);
    await cloneOf(server.url, template, (url) => measure('postgres', url), log);
  } finally {
    server.stop();
  }
}

export async function run(): Promise<void> {
  console.log(
    `${fmt(SHAPE.contacts)} contacts with a lead each, ${fmt(SHAPE.events)} interactions over 90 days; one model, five rules, ` +
      `requiring profiling; baseline: one hand-written INSERT … SELECT; load average ${load()}`,
  );
  await sqlite();
  await postgres();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
