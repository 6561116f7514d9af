// Ten segments (attribute, consent, list, behavioural, nested) counted over 1M contacts and
// 10M interactions through SegmentsService (validate, compile, run), against the same question
// written by hand in SQL and run on the raw driver. BENCH_CONTACTS / BENCH_EVENTS scale it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { connect, type Db } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createLogger } from '../src/lib/log.ts';
import { majorityCutoff } from '../src/modules/consent/gate.ts';
import type { FilterNode } from '../src/modules/segments/filter.model.ts';
import { createServices } from '../src/services.ts';

const { startCluster } = (await import(new URL('../scripts/pg-cluster.mjs', import.meta.url).href)) as {
  startCluster(): Promise<{ url: string; stop(): void } | null>;
};

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
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

const GATE_MARKETING_RAW = `((c.is_child = 0 and (c.birth_date is null or c.birth_date <= ?) and c.consent_level >= 4) or ((c.is_child = 1 or c.birth_date > ?) and c.guardian_consent = 1 and c.consent_level >= 4))`;

const CASES: Case[] = [
  { name: 'country = DE', kind: 'attribute', tree: () => ({ field: 'country', op: '=', value: 'DE' }), raw: `select count(*) as n from contacts c where c.country = ?`, params: () => ['DE'] },
  { name: 'consent >= 4', kind: 'attribute', tree: () => ({ consent: { atLeast: 4 } }), raw: `select count(*) as n from contacts c where c.consent_level >= 4`, params: () => [] },
  { name: 'allowed marketing', kind: 'attribute', tree: () => ({ allowed: 'marketing' }), raw: `select count(*) as n from contacts c where ${GATE_MARKETING_RAW}`, params: (_a, _b, cut) => [cut, cut] },
  {
    name: 'country in (DE,FR,NL) and language = de',
    kind: 'attribute',
    tree: () => ({ and: [{ field: 'country', op: 'in', value: ['DE', 'FR', 'NL'] }, { field: 'language', op: '=', value: 'de' }] }),
    raw: `select count(*) as n from contacts c where c.country in (?, ?, ?) and c.language = ?`,
    params: () => ['DE', 'FR', 'NL', 'de'],
  },
  { name: 'email starts with user1', kind: 'attribute', tree: () => ({ field: 'email', op: 'starts_with', value: 'user1' }), raw: `select count(*) as n from contacts c where c.email >= ? and c.email < ?`, params: () => ['user1', 'user2'] },
  { name: 'on list L1', kind: 'attribute', tree: (l1) => ({ list: l1 }), raw: `select count(*) as n from list_members where list_id = ?`, params: (l1) => [l1] },
  { name: 'clicked m1', kind: 'behavioural', tree: () => ({ behaviour: { type: 'email_clicked', ref: 'm1' } }), raw: `select count(distinct contact_id) as n from interactions where type = ? and ref = ?`, params: () => ['email_clicked', 'm1'] },
  {
    name: 'clicked twice in 30 days',
    kind: 'behavioural',
    tree: () => ({ behaviour: { type: 'email_clicked', withinDays: 30, atLeast: 2 } }),
    raw: `select count(*) as n from (select contact_id from interactions where type = ? and at >= ? group by contact_id having count(*) >= 2) x`,
    params: () => ['email_clicked', ago(30)],
  },
  {
    name: 'nested: marketing and (DE or opened m2 in 14 days) and not on L2',
    kind: 'behavioural',
    tree: (_l1, l2) => ({ and: [{ allowed: 'marketing' }, { or: [{ field: 'country', op: '=', value: 'DE' }, { behaviour: { type: 'email_opened', ref: 'm2', withinDays: 14 } }] }, { not: { list: l2 } }] }),
    raw: `select count(*) as n from contacts c where ${GATE_MARKETING_RAW} and (c.country = ? or c.id in (select contact_id from interactions where type = ? and ref = ? and at >= ?)) and c.id not in (select contact_id from list_members where list_id = ?)`,
    params: (_l1, l2, cut) => [cut, cut, 'DE', 'email_opened', 'm2', ago(14), l2],
  },
  {
    name: 'visited 3 times and consent >= 3',
    kind: 'behavioural',
    tree: () => ({ and: [{ behaviour: { type: 'page_visited', atLeast: 3 } }, { consent: { atLeast: 3 } }] }),
    raw: `select count(*) as n from contacts c where c.consent_level >= 3 and c.id in (select contact_id from interactions where type = ? group by contact_id having count(*) >= 3)`,
    params: () => ['page_visited'],
  },
];

/** Fills the database in SQL on the server: the fastest way to make this much data on both. */
async function load(db: Db, l1: string, l2: string): Promise<void> {
  const run = async (sqlite: string, postgres: string) => {
    if (db.sqlite) db.sqlite.exec(sqlite);
    else await db.pool!.query(postgres);
  };
  const now = NOW.toISOString();
  const countries = `'DE','FR','NL','PT','JP','US','GB','ES'`;
  await run(
    `with recursive s(x) as (select 1 union all select x + 1 from s where x < ${CONTACTS})
     insert into contacts (id, email, first_name, country, language, birth_date, is_child, guardian_consent, consent_level, created_at, updated_at)
     select printf('c%08d', x), 'user' || x || '@example.com', 'Name' || (x % 1000),
       (case x % 8 when 0 then 'DE' when 1 then 'FR' when 2 then 'NL' when 3 then 'PT' when 4 then 'JP' when 5 then 'US' when 6 then 'GB' else 'ES' end),
       (case x % 3 when 0 then 'de' when 1 then 'fr' else 'en' end),
       (case when x % 7 = 0 then null else printf('%04d-%02d-%02d', 1950 + x % 65, 1 + x % 12, 1 + x % 28) end),
       (case when x % 97 = 0 then 1 else 0 end), x % 2, x % 6, '${now}', '${now}' from s`,
    `insert into contacts (id, email, first_name, country, language, birth_date, is_child, guardian_consent, consent_level, created_at, updated_at)
     select 'c' || lpad(x::text, 8, '0'), 'user' || x || '@example.com', 'Name' || (x % 1000),
       (array[${countries}])[1 + x % 8], (array['de','fr','en'])[1 + x % 3],
       case when x % 7 = 0 then null else lpad((1950 + x % 65)::text, 4, '0') || '-' || lpad((1 + x % 12)::text, 2, '0') || '-' || lpad((1 + x % 28)::text, 2, '0') end,
       case when x % 97 = 0 then 1 else 0 end, x % 2, x % 6, '${now}', '${now}' from generate_series(1, ${CONTACTS}) x`,
  );
  await run(
    `insert into list_members (contact_id, list_id, joined_at) select id, case when abs(random()) % 2 = 0 then '${l1}' else '${l2}' end, '${now}' from contacts where abs(random()) % 10 < 3`,
    `insert into list_members (contact_id, list_id, joined_at) select id, case when random() < 0.5 then '${l1}' else '${l2}' end, '${now}' from contacts where random() < 0.3`,
  );
  const types = `'email_sent','email_delivered','email_opened','email_clicked','page_visited'`;
  // Building the indexes once after the load is much faster than maintaining them row by row.
  await run('drop index interactions_contact_idx; drop index interactions_type_ref_idx;', 'drop index interactions_contact_idx; drop index interactions_type_ref_idx;');
  await run(
    `with recursive s(x) as (select 1 union all select x + 1 from s where x < ${EVENTS})
     insert into interactions (id, contact_id, type, ref, at)
     select printf('e%09d', x), printf('c%08d', 1 + abs(random()) % ${CONTACTS}),
       (case x % 5 when 0 then 'email_sent' when 1 then 'email_delivered' when 2 then 'email_opened' when 3 then 'email_clicked' else 'page_visited' end),
       'm' || (1 + abs(random()) % 100), strftime('%Y-%m-%dT%H:%M:%fZ', '${now}', '-' || (abs(random()) % 90) || ' days') from s`,
    `insert into interactions (id, contact_id, type, ref, at)
     select 'e' || lpad(x::text, 9, '0'), 'c' || lpad((1 + floor(random() * ${CONTACTS}))::text, 8, '0'),
       (array[${types}])[1 + x % 5], 'm' || (1 + floor(random() * 100)),
       to_char(('${now}'::timestamptz - (floor(random() * 90) || ' days')::interval) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') from generate_series(1, ${EVENTS}) x`,
  );
  const indexes = 'create index interactions_contact_idx on interactions (contact_id, type, ref, at); create index interactions_type_ref_idx on interactions (type, ref, at);';
  await run(indexes, indexes);
  await run('analyze', 'analyze');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function rawCount(db: Db, text: string, params: unknown[]): Promise<number> {
  if (db.sqlite) return Number((db.sqlite.prepare(text).get(...(params as never[])) as { n: number }).n);
  let i = 0;
  const r = await db.pool!.query(text.replace(/\?/g, () => `$${++i}`), params);
  return Number(r.rows[0].n);
}

async function bench(dialect: string, db: Db): Promise<void> {
  await migrateToLatest(db);
  // One fixed "now" for the app and the hand-written queries, so time windows cut alike.
  const s = createServices(loadConfig({}), db, { now: () => NOW }, createLogger('silent'));
  await s.settings.ensureDefaults();
  const l1 = (await s.lists.create({ name: 'L1' })).id;
  const l2 = (await s.lists.create({ name: 'L2' })).id;
  const t0 = performance.now();
  await load(db, l1, l2);
  console.log(`segments ${dialect}: loaded ${CONTACTS.toLocaleString('en-US')} contacts and ${EVENTS.toLocaleString('en-US')} interactions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const cutoff = majorityCutoff(NOW, (await s.settings.get()).majorityAge);
  for (const c of CASES) {
    const tree = c.tree(l1, l2);
    const appMs: number[] = [];
    const rawMs: number[] = [];
    let appN = 0;
    let rawN = 0;
    for (let k = 0; k < 3; k++) {
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
    console.log(`  ${c.name.padEnd(64)} ${String(appN).padStart(8)}  app ${a.toFixed(0).padStart(5)} ms  raw ${r.toFixed(0).padStart(5)} ms  ratio ${(r / a).toFixed(2)}  goal ${goal} ms ${a <= goal ? 'met' : 'MISSED'}${same}`);
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
  const external = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : null;
  const cluster = external ? null : await startCluster();
  if (!external && !cluster) {
    console.log('segments postgres: SKIPPED (no PostgreSQL server binaries and no DATABASE_URL)');
    return;
  }
  const base = external ?? cluster!.url;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query('drop database if exists bench_segments');
  await admin.query('create database bench_segments');
  await admin.end();
  const u = new URL(base);
  u.pathname = '/bench_segments';
  try {
    await bench('postgres', connect(u.toString()));
  } finally {
    cluster?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
