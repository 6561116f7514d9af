// Data-subject requests over 1M contacts and 10M interactions (bench/population.ts), plus
// "heavy" contacts holding 10,000 interactions each, consent ledger entries, a list membership
// and a stored message: the access export of one (AccessExportService.buildForEmail, as
// `assent dsr export` builds it), the erasure of one (ErasureService.erase by address, as
// `assent dsr erase` runs it: transaction, then storage purge and residue scan), the residue
// scan of the whole database alone, and the bulk erasure of 10,000 contacts. Each against the
// same reads, deletes and scans written by hand on the raw driver (bench/dsr.raw.ts), run in
// turn sample by sample so load that comes and goes on a shared machine hits both alike.
// BENCH_CONTACTS / BENCH_EVENTS scale it; DATABASE_URL=postgres://… names a server.
// Runs under `npm run bench dsr`, or alone: node --import tsx bench/dsr.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import type { Db } from '../src/modules/database.ts';
import { newId } from '../src/lib/ids.ts';
import { createLogger } from '../src/lib/log.ts';
import { CLI_ACTOR } from '../src/modules/audit/audit.model.ts';
import type { EntryDraft } from '../src/modules/consent/ledger.service.ts';
import type { ErasurePhase } from '../src/modules/dsr/erasure/erasure.model.ts';
import { PURGE_QUEUE } from '../src/modules/dsr/erasure/purge.service.ts';
import { identifiersOf } from '../src/modules/dsr/residue/residue.model.ts';
import { createServices, migrate, type Services } from '../src/services.ts';
import { rawErasure, rawExport, rawScan, type Person } from './dsr.raw.ts';
import { pgServer, scratchDatabase } from './pg.ts';
import { loadPopulation } from './population.ts';
import { transportOf } from '../test/helpers/mail.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const HEAVY_EVENTS = 10_000;
const EXPORT_SAMPLES = 20;
const ERASE_SAMPLES = 10;
const SCAN_SAMPLES = 3;
const BULK = Math.min(10_000, Math.floor(CONTACTS / 4));
const NOW = new Date();

const GOALS = {
  sqlite: { export: 250, erase: 500, scan: 10_000, bulk: 30_000 },
  postgres: { export: 400, erase: 200, scan: 10_000, bulk: 30_000 },
} as const;

interface Heavy extends Person {
  id: string;
  firstName: string;
  lastName: string;
}

const api = { source: 'api', actor: { type: 'api_key', id: '01900000-0000-7000-8000-000000000001' } } as const;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
const verdict = (x: number, goal: number) => `goal ${goal.toLocaleString('en-US')} ms ${x <= goal ? 'met' : 'MISSED'}`;

/** Heavy contacts through the services (ledger, list, outbox), their interactions in one SQL statement each. */
async function addHeavy(s: Services, db: Db, listId: string, n: number): Promise<Heavy[]> {
  const out: Heavy[] = [];
  for (let i = 0; i < n; i++) {
    const p = { email: `heavy${i}@bench.example`, firstName: `Hedwig${i}`, lastName: `Schwergewicht${i}`, phone: `+49 151 ${4000000 + i}` };
    const c = await s.contacts.create({
      email: p.email,
      firstName: p.firstName,
      lastName: p.lastName,
      phone: p.phone,
      company: 'Bench GmbH',
    });
    for (const [level, ip] of [
      [3, '198.51.100.7'],
      [5, '198.51.100.8'],
      [4, '198.51.100.9'],
    ] as const) {
      await s.consent.setLevel(c.id, level, {
        ...api,
        notice: 'We keep your data for the newsletter.',
        evidence: { ip, userAgent: 'Mozilla/5.0 (bench)' },
      });
    }
    await s.lists.join(c.id, listId, api);
    await transportOf(s).send({
      to: p.email,
      subject: 'Welcome',
      text: `Dear ${p.firstName} ${p.lastName}, welcome.`,
      contactId: c.id,
      purpose: 'transactional',
    });
    const id = `h${String(i).padStart(3, '0')}`;
    if (db.sqlite) {
      db.sqlite
        .prepare(
          `with recursive s(x) as (select 1 union all select x + 1 from s where x < ${HEAVY_EVENTS})
           insert into interactions (id, contact_id, type, ref, url, at)
           select printf('%s%06d', ?, x), ?, (case x % 5 when 0 then 'email_sent' when 1 then 'email_delivered' when 2 ` +
            `then 'email_opened' when 3 then 'email_clicked' else 'page_visited' end),
             'm' || (1 + x % 100), (case when x % 5 = 3 then 'https://shop.example.com/p/' || (x % 500) else null end),
             strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-' || (x % 90) || ' days', '-' || x || ' seconds') from s`,
        )
        .run(id, c.id, NOW.toISOString());
    } else {
      await db.pool!.query(
        `insert into interactions (id, contact_id, type, ref, url, at)
         select $1 || lpad(x::text, 6, '0'), $2, ` +
          `(array['email_sent','email_delivered','email_opened','email_clicked','page_visited'])[1 + x % 5],
           'm' || (1 + x % 100), case when x % 5 = 3 then 'https://shop.example.com/p/' || (x % 500) end,
           to_char(($3::timestamptz - ((x % 90) || ' days')::interval - (x || ' seconds')::interval) at time zone 'UTC', ` +
          `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
         from generate_series(1, ${HEAVY_EVENTS}) x`,
        [id, c.id, NOW.toISOString()],
      );
    }
    out.push({ ...p, id: c.id, name: `${p.firstName} ${p.lastName}` });
  }
  return out;
}

/** The population's contacts `from`..`from+n-1` (ids c%08d) get one consent entry each, as every real contact has. */
async function ledgerFor(s: Services, from: number, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `c${String(from + i).padStart(8, '0')}`);
  const drafts: EntryDraft[] = ids.map((contactId) => ({
    contactId,
    kind: 'level',
    oldValue: 0,
    newValue: 3,
    ctx: { ...api, evidence: { ip: '203.0.113.5', userAgent: 'Mozilla/5.0 (import)' } },
  }));
  await s.db.kysely.transaction().execute((trx) => s.ledger.append(trx, drafts));
  return ids;
}

const personOf = (n: number): Person => ({
  email: `user${n}@example.com`,
  name: `Name${n % 1000} Family${n}`,
  phone: `+49 30 ${1_000_000 + n}`,
});

async function bench(dialect: 'sqlite' | 'postgres', db: Db): Promise<void> {
  const goal = GOALS[dialect];
  await migrate(db);
  const s = createServices(loadConfig({}), db, { now: () => NOW }, createLogger('silent'));
  await s.settings.ensureDefaults();
  const l1 = (await s.lists.create({ name: 'L1' })).id;
  const l2 = (await s.lists.create({ name: 'L2' })).id;
  let t0 = performance.now();
  await loadPopulation(db, { contacts: CONTACTS, events: EVENTS, lists: [l1, l2], now: NOW });
  const loadS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const heavy = await addHeavy(s, db, l1, 1 + 2 * ERASE_SAMPLES);
  const bulkApp = await ledgerFor(s, 1, BULK);
  const bulkRaw = await ledgerFor(s, BULK + 1, BULK);
  // The steady state of a live database: statistics gathered, the log checkpointed, tables vacuumed.
  if (db.sqlite) {
    db.sqlite.exec('analyze');
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } else await db.pool!.query('vacuum analyze');
  console.log(
    `dsr ${dialect}: loaded ${CONTACTS.toLocaleString('en-US')} contacts and ${EVENTS.toLocaleString('en-US')} interactions in ` +
      `${loadS.toFixed(1)} s; ` +
      `${heavy.length} heavy contacts (${HEAVY_EVENTS.toLocaleString('en-US')} interactions, 4 ledger entries, a list, a message ` +
      `each) and ledger entries for ${(2 * BULK).toLocaleString('en-US')} contacts in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const raw = { sqlite: db.sqlite, pool: db.pool, file: db.sqlite ? db.target.location : undefined };
  const eraser = rawErasure(raw);
  const suppress = (await s.settings.get()).suppressErasedAddresses;

  // (a) access export of a heavy contact
  {
    const who = heavy[0]!;
    const app: number[] = [];
    const base: number[] = [];
    let rows = 0;
    for (let k = 0; k < EXPORT_SAMPLES; k++) {
      let t = performance.now();
      const x = await s.accessExports.buildForEmail(who.email);
      app.push(performance.now() - t);
      rows = x.tables.interactions?.rows.length ?? 0;
      t = performance.now();
      await rawExport(raw, who.email);
      base.push(performance.now() - t);
    }
    if (rows !== HEAVY_EVENTS) throw new Error(`the export holds ${rows} interactions, expected ${HEAVY_EVENTS}`);
    line(`export of a heavy contact (${EXPORT_SAMPLES} samples)`, app, base, goal.export);
  }

  // (b) erasure of a heavy contact, by address, as `assent dsr erase` runs it
  {
    const app = { total: [] as number[], trx: [] as number[], after: [] as number[], storage: [] as number[], scan: [] as number[] };
    const base = { total: [] as number[], trx: [] as number[], after: [] as number[] };
    for (let i = 0; i < ERASE_SAMPLES; i++) {
      const a = heavy[1 + i]!;
      const phases: Partial<Record<ErasurePhase, number>> = {};
      let t = performance.now();
      const r = await s.erasure.erase(
        { emails: [a.email] },
        { actor: CLI_ACTOR, suppress, onPhase: (p, d) => (phases[p] = (phases[p] ?? 0) + d) },
      );
      const total = performance.now() - t;
      if (r.residue.length || r.tables.interactions !== HEAVY_EVENTS)
        throw new Error(`app erasure: residue ${r.residue.join()} / ${r.tables.interactions} interactions`);
      app.total.push(total);
      app.trx.push(phases.transaction!);
      // On SQLite the checkpoint runs beside the scan: after the commit is the rest of the wall time.
      app.after.push(total - phases.transaction!);
      app.storage.push(phases.storage ?? 0);
      app.scan.push(phases.scan ?? 0);

      const b = heavy[1 + ERASE_SAMPLES + i]!;
      const hash = await s.secret.emailHash(b.email);
      t = performance.now();
      await eraser.erase([b.id], [b.email], suppress ? [hash] : [], newId(), new Date().toISOString());
      const t1 = performance.now();
      await eraser.purge();
      const left = await rawScan(raw, [b]);
      const t2 = performance.now();
      if (left.length) throw new Error(`raw erasure left ${left.join()}`);
      base.trx.push(t1 - t);
      base.after.push(t2 - t1);
      base.total.push(t2 - t);
    }
    line(`erase a heavy contact: transaction (${ERASE_SAMPLES} samples)`, app.trx, base.trx, goal.erase);
    line('erase a heavy contact: after commit (purge + residue scan)', app.after, base.after, goal.scan);
    line('erase a heavy contact: total', app.total, base.total, goal.erase + goal.scan);
    console.log(
      `    app after commit, p50: purge (${dialect === 'sqlite' ? 'checkpoint, during the scan' : 'statistics'}) ` +
        `${ms(pct(app.storage, 50))}, residue scan ${ms(pct(app.scan, 50))}`,
    );
    if (dialect === 'postgres') await storagePurge(s, `storage purge of ${ERASE_SAMPLES} erasures (one window)`);
  }

  // (c) the residue scan of the whole database alone, for one person's identifiers
  {
    const gone = heavy[1]!;
    const ids = identifiersOf({ email: gone.email, phone: gone.phone, first_name: gone.firstName, last_name: gone.lastName });
    const app: number[] = [];
    const base: number[] = [];
    for (let k = 0; k < SCAN_SAMPLES; k++) {
      let t = performance.now();
      const hits = await s.erasure.scanner.scanDatabase(ids);
      app.push(performance.now() - t);
      if (hits.length) throw new Error(`scan found ${hits.join()}`);
      t = performance.now();
      await rawScan(raw, [gone]);
      base.push(performance.now() - t);
    }
    line(`residue scan of the whole database, one person (${SCAN_SAMPLES} samples)`, app, base, goal.scan);
  }

  // (d) bulk erasure of 10,000 contacts: the app once, the raw deletes once (chunks of 500, one transaction each)
  {
    const phases: Partial<Record<ErasurePhase, number>> = {};
    let t = performance.now();
    const r = await s.erasure.erase(
      { contactIds: bulkApp },
      { actor: CLI_ACTOR, suppress, onPhase: (p, d) => (phases[p] = (phases[p] ?? 0) + d) },
    );
    const app = performance.now() - t;
    if (r.contacts !== BULK || r.residue.length) throw new Error(`bulk: ${r.contacts} contacts, residue ${r.residue.join()}`);
    const emails = bulkRaw.map((id) => personOf(Number(id.slice(1))).email);
    const hashes = suppress ? await Promise.all(emails.map((e) => s.secret.emailHash(e))) : [];
    t = performance.now();
    for (let i = 0; i < bulkRaw.length; i += 500)
      await eraser.erase(bulkRaw.slice(i, i + 500), emails.slice(i, i + 500), hashes.slice(i, i + 500), newId(), new Date().toISOString());
    const t1 = performance.now();
    await eraser.purge();
    const base = performance.now() - t;
    const split =
      `transactions ${ms(phases.transaction ?? 0)}, purge ` +
      `${ms(phases.storage ?? 0)}${dialect === 'sqlite' ? ' (during the scan)' : ''}, scan ${ms(phases.scan ?? 0)}`;
    console.log(
      `  ${`bulk erase ${BULK.toLocaleString('en-US')} contacts`.padEnd(64)} app ${ms(app)}  raw ${ms(base)}  ratio ` +
        `${(base / app).toFixed(2)}  ${verdict(app, goal.bulk)}`,
    );
    console.log(`    app: ${split}; raw: deletes ${ms(t1 - t)}, purge ${ms(base - (t1 - t))}, no scan`);
    if (dialect === 'postgres') await storagePurge(s, `storage purge of the bulk erasure`);
  }
  await db.close();
}

/**
 * PostgreSQL: the storage purge jobs the erasures asked for (VACUUM FULL of the partitions and
 * small tables that held the people, then the pages read back where pageinspect is installed),
 * run now by the handler the worker uses, one after the other; what the background worker does
 * after the window, apart from the erasure's own time.
 */
async function storagePurge(s: Services, label: string): Promise<void> {
  const jobs = await s.db.kysely
    .selectFrom('jobs')
    .select(['id', 'payload'])
    .where('queue', '=', PURGE_QUEUE)
    .where('status', '=', 'queued')
    .orderBy('id')
    .execute();
  const t = performance.now();
  for (const j of jobs) await s.erasure.purges.run(JSON.parse(j.payload));
  const took = performance.now() - t;
  await s.db.kysely
    .updateTable('jobs')
    .set({ status: 'done' })
    .where('id', 'in', jobs.length ? jobs.map((j) => j.id) : [''])
    .execute();
  console.log(`  ${label.padEnd(64)} ${jobs.length} relations rewritten in ${ms(took)} (background, after the window)`);
}

function line(label: string, app: number[], base: number[], goal: number): void {
  const [a50, a95, r50, r95] = [pct(app, 50), pct(app, 95), pct(base, 50), pct(base, 95)];
  console.log(
    `  ${label.padEnd(64)} app p50 ${ms(a50)} p95 ${ms(a95)}  raw p50 ${ms(r50)} p95 ${ms(r95)}  ratio ${(r95 / a95).toFixed(2)}  ` +
      `${verdict(a95, goal)}`,
  );
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-dsr-'));
  try {
    await bench('sqlite', connect(`sqlite:${join(dir, 'dsr.db')}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const server = await pgServer('dsr');
  if (!server) return;
  try {
    await scratchDatabase(server.url, (url) => bench('postgres', connect(url)));
  } finally {
    server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
