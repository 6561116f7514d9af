// Ten segments (attribute, consent, list, behavioural, nested) counted over 1M contacts and
// 10M interactions through SegmentsService (validate, compile, run), against the same question
// written by hand in SQL and run on the raw driver. BENCH_CONTACTS / BENCH_EVENTS scale it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import type { Db } from '../src/modules/database.ts';
import { createLogger } from '../src/lib/log.ts';
import { majorityCutoff } from '../src/modules/consent/gate.ts';
import type { FilterNode } from '../src/modules/segments/filter.model.ts';
import { createServices, migrate } from '../src/services.ts';
import { loadPopulation } from './population.ts';
import { pgServer, scratchDatabase } from './pg.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
/** Timed runs per contender (app and raw take turns); the median is reported. */
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 3);
const NOW = new Date();
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

interface Case {
  name: string;
  kind: 'attribute' | 'behavioural';
  tree: (l1: string, l2: string) => FilterNode;
  /** The same question in plain SQL; `?` placeholders are filled from `params`. */
  raw: string;
  params: (l1: string, l2: string, cutoff: string) => unknown[];
}

const GATE_MARKETING_RAW =
  `((c.is_child = 0 and (c.birth_date is null or c.birth_date <= ?) ` +
  `and c.consent_level >= 4) or ((c.is_child = 1 or c.birth_date > ` +
  `?) and c.guardian_consent = 1 and c.consent_level >= 4))`;

const CASES: Case[] = [
  {
    name: 'country = DE',
    kind: 'attribute',
    tree: () => ({ field: 'country', op: '=', value: 'DE' }),
    raw: `select count(*) as n from contacts c where c.country = ?`,
    params: () => ['DE'],
  },
  {
    name: 'consent >= 4',
    kind: 'attribute',
    tree: () => ({ consent: { atLeast: 4 } }),
    raw: `select count(*) as n from contacts c where c.consent_level >= 4`,
    params: () => [],
  },
  {
    name: 'allowed marketing',
    kind: 'attribute',
    tree: () => ({ allowed: 'marketing' }),
    raw: `select count(*) as n from contacts c where ${GATE_MARKETING_RAW}`,
    params: (_a, _b, cut) => [cut, cut],
  },
  {
    name: 'country in (DE,FR,NL) and language = de',
    kind: 'attribute',
    tree: () => ({
      and: [
        { field: 'country', op: 'in', value: ['DE', 'FR', 'NL'] },
        { field: 'language', op: '=', value: 'de' },
      ],
    }),
    raw: `select count(*) as n from contacts c where c.country in (?, ?, ?) and c.language = ?`,
    params: () => ['DE', 'FR', 'NL', 'de'],
  },
  {
    name: 'email starts with user1',
    kind: 'attribute',
    tree: () => ({ field: 'email', op: 'starts_with', value: 'user1' }),
    raw: `select count(*) as n from contacts c where c.email >= ? and c.email < ?`,
    params: () => ['user1', 'user2'],
  },
  {
    name: 'on list L1',
    kind: 'attribute',
    tree: (l1) => ({ list: l1 }),
    raw: `select count(*) as n from list_members where list_id = ?`,
    params: (l1) => [l1],
  },
  {
    name: 'clicked m1',
    kind: 'behavioural',
    tree: () => ({ behaviour: { type: 'email_clicked', ref: 'm1' } }),
    raw: `select count(distinct contact_id) as n from interactions where type = ? and ref = ?`,
    params: () => ['email_clicked', 'm1'],
  },
  {
    name: 'clicked twice in 30 days',
    kind: 'behavioural',
    tree: () => ({ behaviour: { type: 'email_clicked', withinDays: 30, atLeast: 2 } }),
    raw:
      `select count(*) as n from (select contact_id from interactions where type = ? and at >= ? group by contact_id having count(*) ` +
      `>= 2) x`,
    params: () => ['email_clicked', ago(30)],
  },
  {
    name: 'nested: marketing and (DE or opened m2 in 14 days) and not on L2',
    kind: 'behavioural',
    tree: (_l1, l2) => ({
      and: [
        { allowed: 'marketing' },
        { or: [{ field: 'country', op: '=', value: 'DE' }, { behaviour: { type: 'email_opened', ref: 'm2', withinDays: 14 } }] },
        { not: { list: l2 } },
      ],
    }),
    raw:
      `select count(*) as n from contacts c where ${GATE_MARKETING_RAW} and (c.country = ? or c.id in (select contact_id from ` +
      `interactions where type = ? and ref = ? and at >= ?)) and c.id not in (select contact_id from list_members where list_id = ?)`,
    params: (_l1, l2, cut) => [cut, cut, 'DE', 'email_opened', 'm2', ago(14), l2],
  },
  {
    name: 'visited 3 times and consent >= 3',
    kind: 'behavioural',
    tree: () => ({ and: [{ behaviour: { type: 'page_visited', atLeast: 3 } }, { consent: { atLeast: 3 } }] }),
    raw:
      `select count(*) as n from contacts c where c.consent_level >= 3 and c.id in (select contact_id from interactions where type = ` +
      `? group by contact_id having count(*) >= 3)`,
    params: () => ['page_visited'],
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function rawCount(db: Db, text: string, params: unknown[]): Promise<number> {
  if (db.sqlite) return Number((db.sqlite.prepare(text).get(...(params as never[])) as { n: number }).n);
  let i = 0;
  const r = await db.pool!.query(
    text.replace(/\?/g, () => `$${++i}`),
    params,
  );
  return Number(r.rows[0].n);
}

async function bench(dialect: string, db: Db): Promise<void> {
  await migrate(db);
  // One fixed "now" for the app and the hand-written queries, so time windows cut alike.
  const s = createServices(loadConfig({}), db, { now: () => NOW }, createLogger('silent'));
  await s.settings.ensureDefaults();
  const l1 = (await s.lists.create({ name: 'L1' })).id;
  const l2 = (await s.lists.create({ name: 'L2' })).id;
  const t0 = performance.now();
  await loadPopulation(db, { contacts: CONTACTS, events: EVENTS, lists: [l1, l2], now: NOW });
  // PostgreSQL: what autovacuum would do after a bulk load, done now rather than in the middle
  // of the timings (it starts a minute or so later): the visibility map that lets index-only
  // scans skip the table. App and raw queries gain alike.
  if (!db.sqlite) await db.pool!.query('vacuum analyze');
  console.log(
    `segments ${dialect}: loaded ${CONTACTS.toLocaleString('en-US')} contacts and ${EVENTS.toLocaleString('en-US')} interactions in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const cutoff = majorityCutoff(NOW, (await s.settings.get()).majorityAge);
  for (const c of CASES) {
    const tree = c.tree(l1, l2);
    const appMs: number[] = [];
    const rawMs: number[] = [];
    let appN = 0;
    let rawN = 0;
    for (let k = 0; k < SAMPLES; k++) {
      let t = performance.now();
      appN = await s.segments.preview(tree);
      appMs.push(performance.now() - t);
      t = performance.now();
      rawN = await rawCount(db, c.raw, c.params(l1, l2, cutoff));
      rawMs.push(performance.now() - t);
    }
    const goal = c.kind === 'attribute' ? 500 : 2000;
    const a = median(appMs);
    const r = median(rawMs);
    const same = appN === rawN ? '' : `  COUNTS DIFFER (raw ${rawN})`;
    console.log(
      `  ${c.name.padEnd(64)} ${String(appN).padStart(8)}  app ${a.toFixed(0).padStart(5)} ms  raw ${r.toFixed(0).padStart(5)} ms  ` +
        `ratio ${(r / a).toFixed(2)}  goal ${goal} ms ${a <= goal ? 'met' : 'MISSED'}${same}`,
    );
  }
  // The other ways a saved dynamic segment is used: its count and first page of members (the
  // whole set, as preview), and explain for one contact (a member if there is one), which
  // must not cost a whole-set evaluation.
  console.log(`  saved dynamic segments: count, first 100 members, explain one contact (median of ${SAMPLES})`);
  for (const c of CASES) {
    const seg = await s.segments.create({ name: c.name, kind: 'dynamic', filter: c.tree(l1, l2) });
    const countMs: number[] = [];
    const pageMs: number[] = [];
    const explainMs: number[] = [];
    let n = 0;
    let member = false;
    for (let k = 0; k < SAMPLES; k++) {
      let t = performance.now();
      n = await s.segments.count(seg.id);
      countMs.push(performance.now() - t);
      t = performance.now();
      const page = await s.segments.members(seg.id, 100);
      pageMs.push(performance.now() - t);
      const who = page[k % Math.max(page.length, 1)]?.id ?? 'c00000001';
      t = performance.now();
      member = (await s.segments.explain(seg.id, who)).member;
      explainMs.push(performance.now() - t);
      if (page.length && !member) throw new Error(`explain says a listed member of "${c.name}" is not one`);
    }
    const ms = (xs: number[]) => `${median(xs).toFixed(0).padStart(5)} ms`;
    console.log(`  ${c.name.padEnd(64)} ${String(n).padStart(8)}  count ${ms(countMs)}  members ${ms(pageMs)}  explain ${ms(explainMs)}`);
  }
  await db.close();
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-seg-'));
  try {
    await bench('sqlite', connect(`sqlite:${join(dir, 'seg.db')}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const server = await pgServer('segments');
  if (!server) return;
  try {
    await scratchDatabase(server.url, (url) => bench('postgres', connect(url)));
  } finally {
    server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
