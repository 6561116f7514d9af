// Import N generated contacts from a CSV file through ImportService (parse, validate, upsert,
// ledger entries for the ~20% with a consent level), end to end, against the raw drivers
// inserting the same rows (bench/import.raw.ts) twice: on the app's connection and schema (as
// configured) and on a tuned connection without foreign key checks (bench/lean.ts: the
// machine's limit), on SQLite (a temp file in WAL mode) and PostgreSQL. Each baseline runs
// before and after the app and its quicker run counts, so a
// moment when the machine is busier elsewhere never flatters the app. BENCH_IMPORT_ROWS overrides N;
// DATABASE_URL=postgres://… uses that server instead of a throwaway cluster.
// Runs under `npm run bench import`, or alone: node --import tsx bench/import.bench.ts
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import type { Db } from '../src/modules/database.ts';
import { systemClock } from '../src/lib/clock.ts';
import { csvLine } from '../src/lib/csv.ts';
import { decodeText } from '../src/lib/text-encoding.ts';
import { newId } from '../src/lib/ids.ts';
import { createLogger } from '../src/lib/log.ts';
import { createServices, migrate } from '../src/services.ts';
import { rawPostgres, rawSqlite, type RawRow } from './import.raw.ts';
import { dropForeignKeys, tuneSqliteConnection } from './lean.ts';
import { pgServer, scratchDatabase } from './pg.ts';
import { prng } from './prng.ts';

const N = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const GOAL = { sqlite: 100_000, postgres: 50_000 } as const;
const GOAL_RATIO = 0.4;

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'David',
  'Eva',
  'François',
  'Greta',
  'Hiro',
  'Inès',
  'Jonas',
  'Katarzyna',
  'Liam',
  'María',
  'Noah',
  'Olga',
  'Pedro',
  'Zoë',
  'Łukasz',
  'Søren',
  'Aylin',
];
const LAST = [
  'Silva',
  'Müller',
  'García',
  'Rossi',
  'Dubois',
  'Nowak',
  'Jansen',
  'Andersson',
  'Yılmaz',
  'Smith',
  "O'Brien",
  'Kowalski',
  'Novák',
  'Papadopoulos',
  'Fernández',
];
const COMPANY = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell'];
const PLACE = [
  ['DE', 'de'],
  ['FR', 'fr'],
  ['PT', 'pt-PT'],
  ['BR', 'pt-BR'],
  ['ES', 'es'],
  ['IT', 'it'],
  ['PL', 'pl'],
  ['GB', 'en'],
  ['US', 'en-US'],
  ['SE', 'sv'],
] as const;

/** The contacts as the file states them (the header's order) and as the raw baseline stores them. */
function generate(): { csv: string[]; rows: RawRow[] } {
  const rand = prng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const now = new Date().toISOString();
  const csv: string[] = [
    csvLine(['email', 'firstName', 'lastName', 'phone', 'company', 'country', 'language', 'birthDate', 'consentLevel']),
  ];
  const rows: RawRow[] = [];
  for (let i = 0; i < N; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const email = `${first
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z]/g, '')}.${i}@example${i % 97}.com`;
    const phone = rand() < 0.6 ? `+${30 + Math.floor(rand() * 20)} ${String(Math.floor(rand() * 1e9)).padStart(9, '0')}` : null;
    const company = rand() < 0.5 ? `${pick(COMPANY)} ${pick(['GmbH', 'SA', 'Ltd', 'Inc.', 'S.p.A.'])}` : null;
    const [country, language] = pick(PLACE);
    const birth =
      rand() < 0.3
        ? `${1940 + Math.floor(rand() * 60)}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-` +
          `${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`
        : null;
    const level = rand() < 0.2 ? 1 + Math.floor(rand() * 5) : null;
    csv.push(csvLine([email, first, last, phone, company, country, language, birth, level]));
    rows.push([newId(), email, first, last, phone, company, country, language, birth, 0, null, 0, level ?? 0, now, now]);
  }
  return { csv, rows };
}

/** The file as the CLI reads it: bytes through the encoding detection (lib/text-encoding.ts). */
function readText(file: string): AsyncGenerator<string> {
  return decodeText(createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>);
}

interface AppRun {
  ms: number;
  /** A dry run of the same file first: reading and checking alone. */
  checkMs: number;
  ledgerMs: number;
  entries: number;
}

/** The whole import as the CLI runs it, file read included, with where its time went. */
async function appImport(db: Db, file: string): Promise<AppRun> {
  const s = createServices(loadConfig({}), db, systemClock, createLogger('silent'));
  await s.settings.ensureDefaults();
  const actor = { type: 'cli', id: null };
  const c0 = performance.now();
  await s.imports.importCsv(readText(file), { actor, dryRun: true, mayChangeConsent: true });
  const checkMs = performance.now() - c0;
  // The ledger is the consent module's: timed apart, since every entry is hashed and chained.
  let ledgerMs = 0;
  let entries = 0;
  const append = s.ledger.append.bind(s.ledger);
  s.ledger.append = async (trx, drafts) => {
    const t = performance.now();
    try {
      return await append(trx, drafts);
    } finally {
      ledgerMs += performance.now() - t;
      entries += drafts.length;
    }
  };
  const t0 = performance.now();
  const r = await s.imports.importCsv(readText(file), { actor, mayChangeConsent: true });
  const ms = performance.now() - t0;
  if (r.created !== N || r.rejected.length)
    throw new Error(`app created ${r.created} of ${N}, rejected ${r.rejected.length}: ${JSON.stringify(r.rejected.slice(0, 3))}`);
  return { ms, checkMs, ledgerMs, entries };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function report(dialect: 'sqlite' | 'postgres', app: AppRun, rawMs: number, tunedMs: number): void {
  const appRate = N / (app.ms / 1000);
  const raw = N / (rawMs / 1000);
  const tuned = N / (tunedMs / 1000);
  const ratio = appRate / raw;
  console.log(
    `import ${dialect}: app ${fmt(appRate)} rows/s (${sec(app.ms)}); raw as configured ${fmt(raw)} rows/s (${sec(rawMs)}), ratio ` +
      `${ratio.toFixed(2)}; raw tuned ${fmt(tuned)} rows/s (${sec(tunedMs)}), ratio ${(appRate / tuned).toFixed(2)}`,
  );
  const rest = app.ms - app.checkMs - app.ledgerMs;
  console.log(
    `  app time: reading and checking ${sec(app.checkMs)} (alone, as a dry run; the import overlaps it with writing), ledger.append ` +
      `${sec(app.ledgerMs)} (${fmt(app.entries)} entries, ${fmt((app.ledgerMs * 1000) / Math.max(1, app.entries))} µs each), the rest ` +
      `(contact reads, writes, commits) ${sec(rest)}`,
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `  goals: ≥ ${fmt(GOAL[dialect])} rows/s ${verdict(appRate >= GOAL[dialect])}; ratio ≥ ${GOAL_RATIO} ${verdict(ratio >= GOAL_RATIO)}`,
  );
}

async function sqlite(file: string, rows: RawRow[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-'));
  try {
    const fresh = async (name: string) => {
      const db = connect(`sqlite:${join(dir, name)}`);
      await migrate(db);
      return db;
    };
    // As configured: the app's connection and schema; tuned: bench/lean.ts's connection.
    const raw = async (name: string, tuned = false) => {
      const db = await fresh(name);
      try {
        if (tuned) tuneSqliteConnection(db.sqlite!);
        return rawSqlite(db.sqlite!, rows);
      } finally {
        await db.close();
      }
    };
    const before = await raw('raw1.db');
    const tunedBefore = await raw('tuned1.db', true);
    const appDb = await fresh('app.db');
    const app = await appImport(appDb, file);
    await appDb.close();
    report('sqlite', app, Math.min(before, await raw('raw2.db')), Math.min(tunedBefore, await raw('tuned2.db', true)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(file: string, rows: RawRow[]): Promise<void> {
  const server = await pgServer('import');
  if (!server) return;
  try {
    // As configured: the app's schema; tuned: the same without foreign keys on contacts (bench/lean.ts).
    const raw = (tuned = false) =>
      scratchDatabase(server.url, async (url) => {
        const db = connect(url);
        await migrate(db);
        await db.close();
        const client = new pg.Client({ connectionString: url });
        try {
          await client.connect();
          if (tuned) await dropForeignKeys(client, 'contacts');
          return await rawPostgres(client, rows);
        } finally {
          await client.end();
        }
      });
    const before = await raw();
    const tunedBefore = await raw(true);
    const app = await scratchDatabase(server.url, async (url) => {
      const db = connect(url);
      try {
        await migrate(db);
        return await appImport(db, file);
      } finally {
        await db.close();
      }
    });
    report('postgres', app, Math.min(before, await raw()), Math.min(tunedBefore, await raw(true)));
  } finally {
    server.stop();
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-csv-'));
  try {
    const { csv, rows } = generate();
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, csv.join(''));
    const levels = rows.filter((r) => r[12] !== 0).length;
    console.log(
      `${fmt(N)} contacts (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB of CSV, ${fmt(levels)} with a consent level, so as ` +
        `many ledger entries)`,
    );
    await sqlite(file, rows);
    await postgres(file, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
