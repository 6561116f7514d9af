// Ingest N events for random contacts among M through InteractionsService.ingest, in batches of
// 10,000, against the raw drivers writing the same rows and counters (bench/ingest.raw.ts) twice:
// on the app's own connection and schema (as configured), and on a tuned connection with the
// leanest schema the queries allow (bench/lean.ts: the machine's limit), on
// SQLite (a temp file in WAL mode) and PostgreSQL. BENCH_CONTACTS and BENCH_EVENTS override the
// sizes; DATABASE_URL=postgres://… uses that server instead of a throwaway cluster.
// Runs under `npm run bench ingest`, or alone: node --import tsx bench/ingest.bench.ts
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { connect } from '../src/db/connect.ts';
import type { Db } from '../src/modules/database.ts';
import { migrate } from '../src/services.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { ConsentService } from '../src/modules/consent/consent.service.ts';
import { LedgerService } from '../src/modules/consent/ledger.service.ts';
import type { EventInput } from '../src/modules/interactions/interactions.model.ts';
import { InteractionsService } from '../src/modules/interactions/interactions.service.ts';
import { SettingsService } from '../src/modules/settings/settings.service.ts';
import { rawPostgres, rawSqlite } from './ingest.raw.ts';
import { leanPostgres, tuneSqlite } from './lean.ts';
import { pgServer, scratchDatabase } from './pg.ts';
import { prng } from './prng.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const BATCH = 10_000;
/** Share of contacts that are adults at level 5, whom the gate lets be profiled. */
const PROFILED = 0.6;

interface Population {
  ids: string[];
  levels: Uint8Array;
  profiled: Set<string>;
  messages: string[];
  pages: string[];
  now: number;
}

function population(): Population {
  const rand = prng(7);
  const ids: string[] = [];
  const levels = new Uint8Array(CONTACTS);
  const profiled = new Set<string>();
  for (let i = 0; i < CONTACTS; i++) {
    const id = newId();
    ids.push(id);
    levels[i] = rand() < PROFILED ? 5 : Math.floor(rand() * 5);
    if (levels[i] === 5) profiled.add(id);
  }
  return {
    ids,
    levels,
    profiled,
    messages: Array.from({ length: 100 }, () => newId()),
    pages: Array.from({ length: 20 }, () => newId()),
    now: Date.now(),
  };
}

/** Batch `b`: 40% behaviour (clicks, half with a tracked URL; opens; visits), the rest sends and deliveries, within the last day. */
function batchOf(p: Population, b: number): EventInput[] {
  const rand = prng(1000 + b);
  const size = Math.min(BATCH, EVENTS - b * BATCH);
  const out: EventInput[] = new Array(size);
  for (let i = 0; i < size; i++) {
    const contactId = p.ids[Math.floor(rand() * p.ids.length)]!;
    const at = new Date(p.now - Math.floor(rand() * 86_400_000)).toISOString();
    const r = rand();
    const messageId = p.messages[Math.floor(rand() * p.messages.length)]!;
    if (r < 0.15)
      out[i] =
        rand() < 0.5
          ? {
              type: 'email_clicked',
              contactId,
              messageId,
              at,
              url: `https://shop.example.com/p/${i % 500}?utm_source=news&utm_campaign=spring&uid=${i}`,
            }
          : { type: 'email_clicked', contactId, messageId, at };
    else if (r < 0.3) out[i] = { type: 'email_opened', contactId, messageId, at };
    else if (r < 0.4) out[i] = { type: 'page_visited', contactId, pageId: p.pages[Math.floor(rand() * p.pages.length)]!, at };
    else out[i] = { type: r < 0.7 ? 'email_sent' : 'email_delivered', contactId, messageId, at };
  }
  return out;
}

const batches = Math.ceil(EVENTS / BATCH);

type Writer = (events: EventInput[]) => Promise<number> | number;
interface Result {
  ms: number;
  stored: number;
}
/** The app; the raw driver on the app's connection and schema; the raw driver on a tuned connection and the leanest schema. */
interface Contenders {
  app: Result;
  raw: Result;
  tuned: Result;
}

/**
 * Feeds each batch to the two baselines and then to the app, timing only the writers (making the
 * events is the bench's work). Interleaving batches keeps the ratios fair on a shared machine,
 * where load that comes and goes would otherwise land on one side.
 */
async function paired(p: Population, raw: Writer, tuned: Writer, app: Writer): Promise<Contenders> {
  const out: Contenders = { raw: { ms: 0, stored: 0 }, tuned: { ms: 0, stored: 0 }, app: { ms: 0, stored: 0 } };
  for (let b = 0; b < batches; b++) {
    const events = batchOf(p, b);
    for (const [name, write] of [
      ['raw', raw],
      ['tuned', tuned],
      ['app', app],
    ] as const) {
      const t0 = performance.now();
      out[name].stored += await write(events);
      out[name].ms += performance.now() - t0;
    }
  }
  return out;
}

function appWriter(db: Db): Writer {
  const settings = new SettingsService(db, systemClock);
  const service = new InteractionsService(
    db,
    systemClock,
    new ConsentService(db, systemClock, settings, new LedgerService(db, systemClock)),
  );
  return async (events) => (await service.ingest(events)).stored;
}

function report(dialect: string, { app, raw, tuned }: Contenders, note: string): void {
  if (app.stored !== raw.stored || app.stored !== tuned.stored)
    throw new Error(`app stored ${app.stored} rows, raw ${raw.stored}, raw tuned ${tuned.stored}`);
  const rate = (ms: number) => EVENTS / (ms / 1000);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(
    `ingest ${dialect}: app ${fmt(rate(app.ms))} events/s; raw as configured ${fmt(rate(raw.ms))} events/s, ratio ` +
      `${(raw.ms / app.ms).toFixed(2)}; raw tuned ${fmt(rate(tuned.ms))} events/s, ratio ${(tuned.ms / app.ms).toFixed(2)}`,
  );
  console.log(
    `  ${fmt(EVENTS)} events, ${fmt(app.stored)} stored per contact; app ${fmt(app.ms)} ms, raw ${fmt(raw.ms)} ms, raw tuned ` +
      `${fmt(tuned.ms)} ms (${note})`,
  );
}

const CONTACT_COLS = 'id, email, is_child, guardian_consent, consent_level, created_at, updated_at';

async function sqlite(p: Population): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-'));
  try {
    const base = join(dir, 'base.db');
    const db = connect(`sqlite:${base}`);
    await migrate(db);
    await new SettingsService(db, systemClock).ensureDefaults();
    const raw = db.sqlite!;
    const insert = raw.prepare(`insert into contacts (${CONTACT_COLS}) values (?, ?, 0, 0, ?, ?, ?)`);
    const stamp = new Date(p.now).toISOString();
    raw.transaction(() => {
      for (let i = 0; i < p.ids.length; i++) insert.run(p.ids[i], `c${i}@bench.example`, p.levels[i], stamp, stamp);
    })();
    raw.exec('analyze');
    raw.pragma('wal_checkpoint(TRUNCATE)');
    await db.close();
    copyFileSync(base, join(dir, 'app.db'));
    copyFileSync(base, join(dir, 'raw.db'));
    copyFileSync(base, join(dir, 'tuned.db'));

    // As configured: the app's own connection settings and schema. Tuned: bench/lean.ts.
    const rawDb = connect(`sqlite:${join(dir, 'raw.db')}`);
    const appDb = connect(`sqlite:${join(dir, 'app.db')}`);
    const tunedDb = new SQLite(join(dir, 'tuned.db'));
    tuneSqlite(tunedDb);
    try {
      const baseline = rawSqlite(rawDb.sqlite!, (id) => p.profiled.has(id));
      const tuned = rawSqlite(tunedDb, (id) => p.profiled.has(id));
      report(
        'sqlite',
        await paired(
          p,
          (events) => baseline.ingest(events),
          (events) => tuned.ingest(events),
          appWriter(appDb),
        ),
        'raw: one cached prepared INSERT per row and per counter, one transaction per batch',
      );
    } finally {
      await rawDb.close();
      await appDb.close();
      tunedDb.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(p: Population): Promise<void> {
  const server = await pgServer('ingest');
  if (!server) return;
  try {
    await scratchDatabase(server.url, async (baseUrl, base) => {
      const db = connect(baseUrl);
      await migrate(db);
      await new SettingsService(db, systemClock).ensureDefaults();
      await db.close();
      const loader = new pg.Client({ connectionString: baseUrl });
      await loader.connect();
      const stamp = new Date(p.now).toISOString();
      const lines = function* () {
        for (let i = 0; i < p.ids.length; i += 10_000) {
          let chunk = '';
          for (let k = i; k < Math.min(i + 10_000, p.ids.length); k++)
            chunk += `${p.ids[k]}\tc${k}@bench.example\t0\t0\t${p.levels[k]}\t${stamp}\t${stamp}\n`;
          yield chunk;
        }
      };
      await pipeline(Readable.from(lines()), loader.query(copyStreams.from(`copy contacts (${CONTACT_COLS}) from stdin`)));
      await loader.query('analyze');
      await loader.end();
      // The three runs start from the same loaded and analysed contacts.
      const scratch = (body: (url: string) => Promise<void>) => scratchDatabase(server.url, body, { template: base });
      await scratch((appUrl) =>
        scratch((rawUrl) =>
          scratch(async (tunedUrl) => {
            const client = new pg.Client({ connectionString: rawUrl });
            const tunedClient = new pg.Client({ connectionString: tunedUrl });
            const appDb = connect(appUrl);
            try {
              await client.connect();
              await tunedClient.connect();
              await leanPostgres(tunedClient);
              const baseline = rawPostgres(client, (id) => p.profiled.has(id));
              const tuned = rawPostgres(tunedClient, (id) => p.profiled.has(id));
              report(
                'postgres',
                await paired(
                  p,
                  (events) => baseline.ingest(events),
                  (events) => tuned.ingest(events),
                  appWriter(appDb),
                ),
                'raw: COPY of the rows and one unnest() upsert of the counters, one transaction per batch',
              );
            } finally {
              await client.end();
              await tunedClient.end();
              await appDb.close();
            }
          }),
        ),
      );
    });
  } finally {
    server.stop();
  }
}

export async function run(): Promise<void> {
  console.log(
    `${EVENTS.toLocaleString('en-US')} events for random contacts among ${CONTACTS.toLocaleString('en-US')} (${PROFILED * 100}% ` +
      `profiled), batches of ${BATCH.toLocaleString('en-US')}`,
  );
  const p = population();
  await sqlite(p);
  await postgres(p);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
