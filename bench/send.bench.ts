// Issue 14, point 11: a campaign of N messages (20,000) to a local SMTP sink (smtp-server in this
// process), end to end (the campaign's preparation, then per batch the gate, render, the send
// rows and SMTP through the mail module's batch sender), on SQLite and PostgreSQL; against raw
// pooled nodemailer sending the same pre-rendered messages (the bytes the sink received from the
// campaign) to the same sink, with the same number of connections. Also: how long after a
// hand-over's transaction the relay has the message (the window in which a crash loses a mail,
// docs/adr/0016-email-delivery.md), as an upper bound.
// BENCH_SEND overrides N, BENCH_ROUNDS the runs per side (best is kept); BENCH_POSTGRES=off skips PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { connect } from '../src/db/connect.ts';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { createLogger } from '../src/lib/log.ts';
import type { Db } from '../src/modules/database.ts';
import { BATCH_QUEUE, PREPARE_QUEUE } from '../src/modules/email/engine.jobs.ts';
import { LANES } from '../src/modules/mail/relay.lanes.ts';
import { Worker } from '../src/jobs/worker.ts';
import { createServices, jobHandlers, migrate, type Services } from '../src/services.ts';
import { pgServer, scratchDatabase } from './pg.ts';

const N = Number(process.env.BENCH_SEND ?? 20_000);
// Best of three: on a shared 2-core machine one round of either side varies by a tenth.
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
/** Recipients the gate refuses (level 2, below marketing's 4): asked about, never mailed. */
const REFUSED = Math.round(N / 20);

/** A sink that keeps each message's bytes (for the raw side) and when it arrived. */
async function sink() {
  let got: { raw: Buffer; to: string }[] = [];
  let count = 0;
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: 0,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        count++;
        got.push({ raw: Buffer.concat(chunks), to: session.envelope.rcptTo[0]!.address });
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    count: () => count,
    take: () => {
      const g = got;
      got = [];
      count = 0;
      return g;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
type Sink = Awaited<ReturnType<typeof sink>>;

async function setup(db: Db, sinkPort: number): Promise<{ s: Services; messageId: string; segmentId: string }> {
  await migrate(db);
  const s = createServices(loadConfig({}), db, systemClock, createLogger('silent'));
  await s.settings.ensureDefaults();
  // Contacts made in bulk (ids must be real ids: the mail module checks them): N adults at
  // marketing's level, then REFUSED below it.
  const now = new Date().toISOString();
  const rows = Array.from({ length: N + REFUSED }, (_, i) => ({
    id: newId(),
    email: `user${i}@example.com`,
    first_name: `Name${i % 1000}`,
    last_name: `Family${i}`,
    country: 'DE',
    language: 'de',
    is_child: 0,
    guardian_consent: 0,
    consent_level: i < N ? 4 : 2,
    created_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await db.kysely.insertInto('contacts').values(chunk).execute();
    await db.kysely
      .insertInto('contact_emails')
      .values(chunk.map((r) => ({ email_key: r.email, dup: 0, contact_id: r.id })))
      .execute();
  }
  if (!db.sqlite) await db.pool!.query('vacuum analyze');
  await s.settings.patch({
    dataProtectionEnabled: true,
    smtp: { host: '127.0.0.1', port: sinkPort, secure: false, from: 'News <news@example.com>' },
  });
  const segmentId = (await s.segments.create({ name: 'everyone', kind: 'dynamic', filter: { field: 'email', op: 'contains', value: '@' } }))
    .id;
  const messageId = newId();
  await db.kysely
    .insertInto('messages')
    .values({
      id: messageId,
      name: 'Bench',
      purpose: 'marketing',
      list_id: null,
      from_name: 'Shop',
      from_email: 'news@example.com',
      reply_to: null,
      subject: 'Spring offer for {{ contact.firstName }}',
      html:
        '<h1>Hello {{ contact.firstName }}</h1>' +
        '<p>Our spring offer, with a <a href="https://example.com/offer">link</a>.</p>'.repeat(8) +
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
      text: null,
      blocks: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { s, messageId, segmentId };
}

/** The campaign end to end: start, prepare, every batch, as the background worker runs them. */
async function appRun(s: Services, messageId: string, segmentId: string, out: Sink): Promise<{ ms: number; n: number }> {
  const handlers = jobHandlers(s);
  const worker = new Worker(s.jobs, {
    id: 'bench-worker',
    batchSize: 20,
    concurrency: 4,
    queues: { [PREPARE_QUEUE]: handlers[PREPARE_QUEUE]!, [BATCH_QUEUE]: handlers[BATCH_QUEUE]! },
  });
  const t0 = performance.now();
  const campaign = await s.campaigns.start(messageId, segmentId, null);
  while ((await worker.runOnce()) > 0);
  const ms = performance.now() - t0;
  // Every send that ended `sent` is at the sink, once; a render over the time limit on a loaded
  // machine fails its send (`template_invalid`) and is reported, not counted.
  const sends = await s.db.kysely
    .selectFrom('sends')
    .select(['status', 'reason'])
    .select((eb) => eb.fn.countAll().as('n'))
    .where('campaign_id', '=', campaign.id)
    .groupBy(['status', 'reason'])
    .execute();
  const sent = Number(sends.find((r) => r.status === 'sent')?.n ?? 0);
  if (out.count() !== sent || sent < N * 0.99) throw new Error(`the sink got ${out.count()}, sends: ${JSON.stringify(sends)}`);
  if (sent !== N)
    console.log(`  (sends not sent: ${JSON.stringify(sends.filter((r) => r.status !== 'sent' && r.reason !== 'below_required_level'))})`);
  return { ms, n: sent };
}

/** Raw pooled nodemailer: the same bytes, the same sink, as many connections as the batch sender. */
async function rawRun(messages: { raw: Buffer; to: string }[], out: Sink): Promise<number> {
  const t = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port: out.port,
    secure: false,
    maxConnections: LANES,
    logger: false,
  });
  const t0 = performance.now();
  await Promise.all(messages.map((m) => t.sendMail({ envelope: { from: 'news@example.com', to: [m.to] }, raw: m.raw })));
  const ms = performance.now() - t0;
  t.close();
  if (out.count() !== messages.length) throw new Error(`the sink got ${out.count()} of ${messages.length}`);
  return ms;
}

/** How long from a hand-over's end (its commit follows) to the relay having the message: an upper bound of the loss window. */
async function window(s: Services, out: Sink): Promise<string> {
  const arrived = new Map<string, number>();
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData(stream, session, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        arrived.set(session.envelope.rcptTo[0]!.address, performance.now());
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  await s.settings.patch({ smtp: { host: '127.0.0.1', port, secure: false, from: 'News <news@example.com>' } });
  const handed = new Map<string, number>();
  const items = Array.from({ length: 500 }, (_, i) => ({
    sendId: newId(),
    to: `window-${i}@example.org`,
    contactId: null,
    subject: 'Window',
    text: 'x'.repeat(2000),
    purpose: 'requested',
    caller: 'data_request' as const,
  }));
  const to = new Map(items.map((i) => [i.sendId, i.to]));
  await s.mail.sendBatch(items, {
    caller: 'data_request',
    handOver: async (ids) => {
      const at = performance.now();
      for (const id of ids) handed.set(to.get(id)!, at);
    },
  });
  server.close();
  await s.settings.patch({ smtp: { host: '127.0.0.1', port: out.port, secure: false, from: 'News <news@example.com>' } });
  const d = [...handed].map(([a, t]) => arrived.get(a)! - t).sort((a, b) => a - b);
  const q = (p: number) => d[Math.min(d.length - 1, Math.floor(p * d.length))]!.toFixed(2);
  return (
    `hand-over end → message at the relay (commit, terminator, network, relay): median ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ` + `ms`
  );
}

async function measure(dialect: string, db: Db): Promise<void> {
  const out = await sink();
  try {
    const { s, messageId, segmentId } = await setup(db, out.port);
    // Best rates (messages per second) of the rounds.
    let app = { rate: 0, ms: 0 };
    let raw = { rate: 0, ms: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      // Each round a campaign of its own (a new message: the same recipients again are new sends).
      const m = r === 0 ? messageId : newId();
      if (r > 0)
        await db.kysely
          .insertInto('messages')
          .columns([
            'id',
            'name',
            'purpose',
            'list_id',
            'from_name',
            'from_email',
            'reply_to',
            'subject',
            'html',
            'text',
            'blocks',
            'created_at',
            'updated_at',
          ])
          .expression((eb) =>
            eb
              .selectFrom('messages')
              .select([
                eb.val(m).as('id'),
                'name',
                'purpose',
                'list_id',
                'from_name',
                'from_email',
                'reply_to',
                'subject',
                'html',
                'text',
                'blocks',
                'created_at',
                'updated_at',
              ])
              .where('id', '=', messageId),
          )
          .execute();
      const a = await appRun(s, m, segmentId, out);
      if (a.n / (a.ms / 1000) > app.rate) app = { rate: a.n / (a.ms / 1000), ms: a.ms };
      const messages = out.take();
      const r2 = await rawRun(messages, out);
      if (messages.length / (r2 / 1000) > raw.rate) raw = { rate: messages.length / (r2 / 1000), ms: r2 };
      out.take();
    }
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(
      `send ${dialect}: campaign ${fmt(app.rate)} msg/s (${fmt(app.ms)} ms), raw nodemailer pool ${fmt(raw.rate)} msg/s ` +
        `(${fmt(raw.ms)} ms), ` +
        `ratio ${(app.rate / raw.rate).toFixed(2)}`,
    );
    console.log(`  ${await window(s, out)}`);
    await s.close();
  } finally {
    await out.close();
  }
}

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'assent-bench-'));
  try {
    const db = connect(`sqlite:${join(dir, 'send.db')}`);
    try {
      await measure('sqlite', db);
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<void> {
  const server = await pgServer('send');
  if (!server) return;
  try {
    await scratchDatabase(server.url, async (url) => {
      const db = connect(url);
      try {
        await measure('postgres', db);
      } finally {
        await db.close();
      }
    });
  } finally {
    server.stop();
  }
}

export async function run(): Promise<void> {
  console.log(
    `${N.toLocaleString('en-US')} messages of a campaign (+${REFUSED} refused by the gate) to an smtp-server sink in this process, ` +
      `${LANES} connections (best of ${ROUNDS}); load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  await sqlite();
  await postgres();
  console.log(
    `  load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}
