// The baseline for jobs.bench.ts: the same statements the queue issues, sent straight to the
// drivers in the quickest plain form each offers (cached prepared statements inside one
// transaction on better-sqlite3; array parameters on pg, which parse once whatever the batch).
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { newId } from '../src/lib/ids.ts';

const COLS = 'id, queue, idempotency_key, payload, status, attempts, max_attempts, run_at, created_at, updated_at';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
// Measured fastest on better-sqlite3 here: larger statements cost more to bind than they save.
const SQLITE_INSERT_ROWS = 100;

const RETURNED =
  'id, queue, idempotency_key, payload, status, attempts, max_attempts, run_at, locked_by, locked_until, last_error, created_at, ' +
  'updated_at, finished_at';

const CLAIM_SQLITE = `with picked as materialized (
    select id as job_id from jobs where queue = ? and status = 'queued' and run_at <= ? order by run_at, id limit ?)
  update jobs set status = 'running', locked_by = ?, locked_until = ?, attempts = attempts + 1, updated_at = ?
  from picked where jobs.id = picked.job_id and jobs.status = 'queued' returning ${RETURNED}`;

const CLAIM_PG = `with picked as materialized (
    select id as job_id from jobs where queue = $1 and status = 'queued' and run_at <= $2 order by run_at, id limit $3
    for update skip locked)
  update jobs set status = 'running', locked_by = $4, locked_until = $5, attempts = attempts + 1, updated_at = $6
  from picked where jobs.id = picked.job_id and jobs.status = 'queued' returning ${RETURNED}`;

const COMPLETE_SET = `status = 'done', locked_by = null, locked_until = null, finished_at = ?, updated_at = ?`;

export interface Cycle {
  enqueueMs: number;
  workMs: number;
}

function stamp(): string {
  return new Date().toISOString();
}

function leaseEnd(leaseMs: number): string {
  return new Date(Date.now() + leaseMs).toISOString();
}

export function rawSqlite(db: SQLite.Database, queue: string, n: number, batch: number, leaseMs: number): Cycle {
  const t0 = performance.now();
  const insert = db.prepare(
    `insert into jobs (${COLS}) values ${Array(SQLITE_INSERT_ROWS).fill(ROW).join(', ')} on conflict (idempotency_key) do nothing`,
  );
  const insertOne = db.prepare(`insert into jobs (${COLS}) values ${ROW} on conflict (idempotency_key) do nothing`);
  db.transaction(() => {
    const now = stamp();
    let i = 0;
    for (; i + SQLITE_INSERT_ROWS <= n; i += SQLITE_INSERT_ROWS) {
      const params: unknown[] = [];
      for (let k = i; k < i + SQLITE_INSERT_ROWS; k++)
        params.push(newId(), queue, null, JSON.stringify({ i: k }), 'queued', 0, 5, now, now, now);
      insert.run(params);
    }
    for (; i < n; i++) insertOne.run(newId(), queue, null, JSON.stringify({ i }), 'queued', 0, 5, now, now, now);
  })();
  const t1 = performance.now();

  const claim = db.prepare(CLAIM_SQLITE);
  const completes = new Map<number, SQLite.Statement>();
  const completeFor = (size: number): SQLite.Statement => {
    let s = completes.get(size);
    if (!s) {
      s = db.prepare(
        `update jobs set ${COMPLETE_SET} where id in (${Array(size).fill('?').join(', ')}) and locked_by = ? and attempts = ? and ` +
          `status = 'running'`,
      );
      completes.set(size, s);
    }
    return s;
  };
  let done = 0;
  for (;;) {
    const now = stamp();
    const rows = claim.all(queue, now, batch, 'raw-worker', leaseEnd(leaseMs), now) as { id: string; attempts: number }[];
    if (rows.length === 0) break;
    const finished = stamp();
    done += completeFor(rows.length).run(finished, finished, ...rows.map((r) => r.id), 'raw-worker', rows[0]!.attempts).changes;
  }
  if (done !== n) throw new Error(`raw sqlite completed ${done} of ${n}`);
  return { enqueueMs: t1 - t0, workMs: performance.now() - t1 };
}

export async function rawPostgres(client: pg.ClientBase, queue: string, n: number, batch: number, leaseMs: number): Promise<Cycle> {
  const t0 = performance.now();
  const chunk = 10_000;
  await client.query('begin');
  for (let i = 0; i < n; i += chunk) {
    const ids: string[] = [];
    const payloads: string[] = [];
    for (let k = i; k < Math.min(n, i + chunk); k++) {
      ids.push(newId());
      payloads.push(JSON.stringify({ i: k }));
    }
    const now = stamp();
    await client.query(
      `insert into jobs (${COLS})
       select id, $2, null, payload, 'queued', 0, 5, $3, $3, $3 from unnest($1::text[], $4::text[]) as t(id, payload)
       on conflict (idempotency_key) do nothing`,
      [ids, queue, now, payloads],
    );
  }
  await client.query('commit');
  const t1 = performance.now();

  let done = 0;
  for (;;) {
    const now = stamp();
    const { rows } = await client.query<{ id: string; attempts: number }>({
      name: 'bench-claim',
      text: CLAIM_PG,
      values: [queue, now, batch, 'raw-worker', leaseEnd(leaseMs), now],
    });
    if (rows.length === 0) break;
    const finished = stamp();
    const r = await client.query({
      name: 'bench-complete',
      text: `update jobs set status = 'done', locked_by = null, locked_until = null, finished_at = $1, updated_at = $1
             where id = any($2::text[]) and locked_by = $3 and attempts = $4 and status = 'running'`,
      values: [finished, rows.map((x) => x.id), 'raw-worker', rows[0]!.attempts],
    });
    done += r.rowCount ?? 0;
  }
  if (done !== n) throw new Error(`raw postgres completed ${done} of ${n}`);
  return { enqueueMs: t1 - t0, workMs: performance.now() - t1 };
}
