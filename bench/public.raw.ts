// The baseline of bench/public.bench.ts, in a child process of its own: plain Fastify (no logger,
// no hooks) with one route at the same path, whose body is checked against the same JSON schema
// the app's route declares (SubmissionSchema, by Ajv with the app's body options), that inserts
// one row with the raw driver — a better-sqlite3 prepared statement on a tuned connection
// (bench/lean.ts), or one query on a pg pool of the app’s size — and answers the app’s bytes (RECEIVED, forms.public.routes.ts).
// The same trusted proxy as the app, so the client address is read the same way.
// BENCH_RAW_DB: `sqlite:<file>` or a postgres:// URL. Messages: {ready, url}; {count}; {stop}.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';
import Fastify from 'fastify';
import pg from 'pg';
import { SubmissionSchema, SubmitParams } from '../src/modules/forms/forms.schemas.ts';
import { tuneSqliteConnection } from './lean.ts';

const target = process.env.BENCH_RAW_DB!;
const TABLE = `create table if not exists raw_submissions (
  id text primary key, form_id text not null, email text, body text not null, ip text, created_at text not null)`;
const INSERT_PG = 'insert into raw_submissions (id, form_id, email, body, ip, created_at) values ($1, $2, $3, $4, $5, $6)';

let insert: (row: unknown[]) => Promise<void> | void;
let count: () => Promise<number>;
let close: () => Promise<void>;
if (target.startsWith('sqlite:')) {
  const db = new Database(target.slice('sqlite:'.length));
  tuneSqliteConnection(db);
  db.exec(TABLE);
  const stmt = db.prepare('insert into raw_submissions (id, form_id, email, body, ip, created_at) values (?, ?, ?, ?, ?, ?)');
  insert = (row) => void stmt.run(row);
  count = async () => (db.prepare('select count(*) as n from raw_submissions').get() as { n: number }).n;
  close = async () => void db.close();
} else {
  const pool = new pg.Pool({ connectionString: target, max: 10 });
  await pool.query(TABLE);
  insert = async (row) => void (await pool.query(INSERT_PG, row));
  count = async () => Number((await pool.query('select count(*) as n from raw_submissions')).rows[0].n);
  close = () => pool.end();
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, removeAdditional: false, strict: false, coerceTypes: false });
// ajv-formats is CommonJS: its default export arrives wrapped under ESM (as in src/app.ts).
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ?? formatsPlugin) as unknown as (
  a: Ajv,
) => void;
addFormats(ajv);
const app = Fastify({ trustProxy: '127.0.0.1' });
app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
const RECEIVED = {
  data: { status: 'received', message: 'Thank you. If a confirmation is needed, we have sent you an email with a link.' },
};
app.post<{ Params: { formId: string }; Body: Record<string, unknown> }>(
  '/public/v1/forms/:formId',
  { bodyLimit: 16 * 1024, schema: { params: SubmitParams, body: SubmissionSchema } },
  async (req, reply) => {
    const email = typeof req.body.email === 'string' ? req.body.email : null;
    await insert([randomUUID(), req.params.formId, email, JSON.stringify(req.body), req.ip, new Date().toISOString()]);
    return reply.header('cache-control', 'no-store').send(RECEIVED);
  },
);
const url = await app.listen({ port: 0, host: '127.0.0.1' });

process.on('message', (m: { cmd: string }) => {
  // CPU time (user + system, µs) this process has used: the parent takes the difference over a run.
  if (m.cmd === 'cpu') process.send!({ cpu: process.cpuUsage().user + process.cpuUsage().system });
  if (m.cmd === 'count') void count().then((n) => process.send!({ count: { submissions: n } }));
  if (m.cmd === 'stop')
    void app
      .close()
      .then(close)
      .then(() => process.exit(0));
});
process.send!({ ready: true, url });
