import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { FakeClock } from '../../lib/clock.ts';
import { JobQueue } from '../../jobs/queue.ts';
import { Worker } from '../../jobs/worker.ts';
import { jobHandlers } from '../../services.ts';
import { ASYNC_FROM_BYTES } from './import.routes.ts';
import { IMPORT_QUEUE } from './import.service.ts';

type Role = 'admin' | 'viewer' | 'marketer' | 'privacy_officer';
const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * A file of `n` rows: every tenth with a consent level (a ledger entry each), every 500th with
 * a bad address (rejected), one duplicate of row 1 at the end (rejected), Unicode in names, and
 * a company cell long enough that 10,000 rows weigh more than the job threshold.
 */
function file(tag: string, n: number, levels = true): { csv: string; good: number; rejected: number[] } {
  const lines = [levels ? 'email,firstName,company,consentLevel\n' : 'email,firstName,company\n'];
  const rejected: number[] = [];
  for (let i = 0; i < n; i++) {
    const bad = i % 500 === 499;
    if (bad) rejected.push(i + 2);
    const email = bad ? `not-an-address-${i}` : `${tag}${i}@example.com`;
    const company = `Société Ünïcode ${'x'.repeat(170)} ${i}`;
    lines.push(`${email},Zoë ${i} 🎉,${company}${levels ? `,${i % 10 === 0 ? 2 : ''}` : ''}\n`);
  }
  lines.push(`${tag.toUpperCase()}0@EXAMPLE.COM,Again,Dup${levels ? ',' : ''}\n`);
  rejected.push(n + 2);
  return { csv: lines.join(''), good: n - rejected.length + 1, rejected };
}

forEachDialect('imports as jobs (POST /api/v1/imports answering 202)', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
    await t.services.secret.key();
  });
  after(async () => t.close());

  const post = (query: string, payload: string | Buffer, role: Role = 'admin', type = 'text/csv') =>
    t.app.inject({ method: 'POST', url: `/api/v1/imports${query}`, headers: { ...t.auth(role), 'content-type': type }, payload });
  const progress = async (jobId: string, role: Role = 'admin') =>
    json(await t.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: t.auth(role) })).data as {
      status: string;
      done: number;
      total: number;
      result: unknown;
    };
  const rejectedCsv = (jobId: string, role: Role = 'admin') =>
    t.app.inject({ method: 'GET', url: `/api/v1/imports/${jobId}/rejected`, headers: t.auth(role) });
  const count = async (like: string) =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('contacts')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('email', 'like', like)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const uploads = async () =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('import_uploads')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** Ledger entries of the import per contact of the tag: exactly one for each row with a level. */
  const ledgerPerContact = async (like: string) => {
    const rows = await ctx.db.kysely
      .selectFrom('consent_ledger')
      .innerJoin('contacts', 'contacts.id', 'consent_ledger.contact_id')
      .select(['contacts.id', (eb) => eb.fn.countAll().as('n')])
      .where('contacts.email', 'like', like)
      .where('consent_ledger.source', '=', 'import')
      .groupBy('contacts.id')
      .execute();
    return rows.map((r) => Number(r.n));
  };
  /** Runs the job queue in this process until the job is done or failed, recording the progress seen. */
  async function runToEnd(jobId: string, role: Role, queue = t.services.jobs) {
    const worker = new Worker(queue, { queues: jobHandlers(t.services), batchSize: 1, pollMs: 10 });
    worker.start();
    const seen: number[] = [];
    let last: Awaited<ReturnType<typeof progress>>;
    try {
      const deadline = Date.now() + 240_000;
      for (;;) {
        last = await progress(jobId, role);
        seen.push(last.done);
        if (last.status === 'done' || last.status === 'failed' || Date.now() > deadline) break;
        await sleep(25);
      }
    } finally {
      await worker.stop();
    }
    return { last: last!, seen };
  }

  /** The `import.finished` events (the event log webhooks read) naming this job. */
  const finishedEvents = async (jobId: string) =>
    (await ctx.db.kysely.selectFrom('events').select('data').where('type', '=', 'import.finished').execute())
      .map((e) => JSON.parse(e.data) as Record<string, unknown>)
      .filter((d) => d.jobId === jobId);

  it('a 10,000-row file over the threshold is a job: 202, progress reaching done == total, its counts and rejected lines', async () => {
    const f = file('big', 10_000);
    assert.ok(Buffer.byteLength(f.csv) > ASYNC_FROM_BYTES, 'the file is over the threshold');
    const res = await post('', f.csv, 'privacy_officer');
    assert.equal(res.statusCode, 202, res.body);
    const { jobId } = json(res).data as { jobId: string };
    assert.deepEqual(Object.keys(json(res).data), ['jobId']);
    assert.deepEqual(await progress(jobId, 'privacy_officer'), { status: 'queued', done: 0, total: 10_001, result: null });
    assert.equal(await uploads(), 1);
    assert.equal(await count('big%'), 0, 'nothing is imported before the job runs');
    const audit = (await t.services.audit.list({ action: 'contact.import' }, 100)).filter(
      (e) => e.requestId === res.headers['x-request-id'],
    );
    assert.deepEqual(
      audit.map((e) => [e.outcome, e.targetId, e.count]),
      [['ok', jobId, 10_001]],
    );

    const { last, seen } = await runToEnd(jobId, 'privacy_officer');
    assert.deepEqual(last, {
      status: 'done',
      done: 10_001,
      total: 10_001,
      result: { created: f.good, updated: 0, rejected: f.rejected.length, ignoredColumns: [], dryRun: false },
    });
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      'progress never goes back',
    );
    assert.equal(await count('big%'), f.good);
    const ledger = await ledgerPerContact('big%');
    assert.equal(ledger.length, 1_000, 'one entry per row with a level');
    assert.ok(ledger.every((n) => n === 1));
    assert.equal(await uploads(), 0, 'the file is deleted when the job ends');
    // Its end is announced once, for webhooks: the job's id and counts, never a cell.
    assert.deepEqual(await finishedEvents(jobId), [{ jobId, created: f.good, updated: 0, rejected: f.rejected.length }]);
    // Unicode kept as written.
    const c = await t.services.contacts.findByEmail('big7@example.com');
    assert.equal(c?.firstName, 'Zoë 7 🎉');

    // The rejected lines: by the role that started it and admins, as CSV; anyone else is told no such job.
    for (const role of ['privacy_officer', 'admin'] as const) {
      const r = await rejectedCsv(jobId, role);
      assert.equal(r.statusCode, 200, r.body);
      assert.match(String(r.headers['content-type']), /^text\/csv/);
      const lines = r.body.trimEnd().split('\n');
      assert.equal(lines[0], 'line,reason');
      assert.deepEqual(
        lines.slice(1).map((l) => Number(l.split(',')[0])),
        f.rejected,
      );
      assert.match(lines[1]!, /^501,email: not a valid email address$/);
      assert.match(lines.at(-1)!, /duplicate email: the file has it on line 2 already/);
      assert.ok(!r.body.includes('not-an-address'), 'no cell value in the reasons');
    }
    assert.equal((await rejectedCsv(jobId, 'marketer')).statusCode, 404);
    assert.equal((await rejectedCsv(jobId, 'viewer')).statusCode, 403);
    // A job that is no import's is no import job, even for an admin.
    const other = await t.services.progress.enqueue('other-q', {}, { role: 'admin', type: 'api_key', id: null }, 1);
    assert.equal((await rejectedCsv(other.id)).statusCode, 404);
    assert.equal((await rejectedCsv('01900000-0000-7000-8000-0000000000ff')).statusCode, 404);
    assert.equal((await rejectedCsv('nope')).statusCode, 400);
  });

  it('async=true|1 makes a small file a job (dry runs too); false|0 and no flag answer in the request', async () => {
    // A NUL in a cell (PostgreSQL's text cannot hold one: the upload is stored as bytes) rejects its row, as in the request.
    const csv = 'email,firstName\nsmall1@example.com,Ana\nsmall2@example.com,\n\nbroken\nsmall3@example.com,A\u0000na\n';
    for (const flag of ['false', '0']) assert.equal((await post(`?async=${flag}&dryRun=1`, csv)).statusCode, 200);
    assert.equal((await post('?async=yes', csv)).statusCode, 400);
    const dry = await post('?async=true&dryRun=true', csv, 'marketer');
    assert.equal(dry.statusCode, 202, dry.body);
    const dryRun = await runToEnd(json(dry).data.jobId, 'marketer');
    assert.deepEqual(dryRun.last, {
      status: 'done',
      done: 5,
      total: 5,
      result: { created: 2, updated: 0, rejected: 3, ignoredColumns: [], dryRun: true },
    });
    assert.equal(await count('small%'), 0, 'a dry run writes nothing');
    assert.deepEqual(await finishedEvents(json(dry).data.jobId), [], 'a dry run announces no import');
    const res = await post('?async=1', csv, 'marketer');
    assert.equal(res.statusCode, 202);
    const { last } = await runToEnd(json(res).data.jobId, 'marketer');
    assert.deepEqual(last.result, { created: 2, updated: 0, rejected: 3, ignoredColumns: [], dryRun: false });
    assert.equal(await count('small%'), 2);
    const rejected = await rejectedCsv(json(res).data.jobId, 'marketer');
    const lines = rejected.body.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['line,reason', '4,empty line', '5,"not readable as CSV: expected 2 fields, found 1"']);
    assert.match(lines[3]!, /^6,"firstName: contains a NUL character/);
    assert.equal(lines.length, 5);
    // The same file in the request rejects the same lines for the same reasons.
    const here = json(await post('?dryRun=1', csv, 'marketer')).data as { rejected: { line: number; reason: string }[] };
    assert.deepEqual(
      here.rejected.map((r) => `${r.line},${r.reason.includes(',') ? `"${r.reason}"` : r.reason}`),
      lines.slice(1, 4),
    );
  });

  it('a multipart upload (UTF-16 with a BOM, semicolons, CRLF) with the form field async=1 is a job too', async () => {
    const boundary = '----assent-job-boundary-3c1a';
    const text = 'email;firstName\r\nmpjob1@example.com;Zoë\r\nmpjob2@example.com;Łukasz\r\n';
    const file = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="async"\r\n\r\n1\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\nContent-Type: text/csv\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: { ...t.auth('marketer'), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    assert.equal(res.statusCode, 202, res.body);
    const { last } = await runToEnd(json(res).data.jobId, 'marketer');
    assert.deepEqual(last.result, { created: 2, updated: 0, rejected: 0, ignoredColumns: [], dryRun: false });
    assert.equal((await t.services.contacts.findByEmail('mpjob2@example.com'))?.firstName, 'Łukasz');
  });

  it('a file refused whole is refused in the request, never by a job: unknown column, consent columns, encoding, empty', async () => {
    const jobsBefore = await t.services.jobs.stats('import');
    const cases: [string, string | Buffer, Role, number, string][] = [
      ['?async=1', 'email,shoeSize\na@example.com,44\n', 'admin', 400, 'validation_failed'],
      ['?async=1', 'email,consentLevel\na@example.com,3\n', 'marketer', 403, 'forbidden'],
      ['?async=1&charset=koi8-r', 'email\na@example.com\n', 'admin', 415, 'unsupported_encoding'],
      ['?async=1', '', 'admin', 400, 'validation_failed'],
      ['?async=1', 'email,first_name\n', 'admin', 202, ''],
    ];
    for (const [query, body, role, status, code] of cases) {
      const res = await post(query, body, role);
      assert.equal(res.statusCode, status, `${query} ${String(body).slice(0, 30)}: ${res.body}`);
      if (code) assert.equal(json(res).error.code, code);
    }
    const jobsAfter = await t.services.jobs.stats('import');
    assert.equal(jobsAfter.queued, jobsBefore.queued + 1, 'only the header-only file made a job');
    // A file over the threshold that is not readable in the charset named is refused whole as well.
    const big = Buffer.concat([Buffer.from('email,company\n'), Buffer.alloc(ASYNC_FROM_BYTES + 10, 0xff)]);
    const refused = await post('?charset=utf-8', big);
    assert.equal(refused.statusCode, 415, refused.body);
    assert.equal(json(refused).error.code, 'unsupported_encoding');
    // Drain the header-only job: done at 0 of 0.
    const [job] = await ctx.db.kysely
      .selectFrom('jobs')
      .select('id')
      .where('queue', '=', 'import')
      .where('status', '=', 'queued')
      .execute();
    const { last } = await runToEnd(job!.id, 'admin');
    assert.deepEqual(last, {
      status: 'done',
      done: 0,
      total: 0,
      result: { created: 0, updated: 0, rejected: 0, ignoredColumns: [], dryRun: false },
    });
  });

  it('an upload past its retention (a day) is deleted; its job then fails rather than import nothing as done', async () => {
    const res = await post('?async=1', 'email\nlate@example.com\n');
    assert.equal(res.statusCode, 202);
    const { jobId } = json(res).data as { jobId: string };
    const old = new Date(Date.now() - 25 * 3600_000).toISOString();
    await ctx.db.kysely.updateTable('import_uploads').set({ created_at: old }).where('job_id', '=', jobId).execute();
    const swept = await t.services.retention.run({ actor: { type: 'system', id: null } });
    assert.ok(swept.some((p) => p.table === 'import_uploads' && p.rows >= 1));
    assert.equal((await ctx.db.kysely.selectFrom('import_uploads').select('job_id').where('job_id', '=', jobId).execute()).length, 0);
    const job = await ctx.db.kysely.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
    await assert.rejects(jobHandlers(t.services)[IMPORT_QUEUE]!(JSON.parse(job.payload), job), /uploaded file is gone/);
    assert.equal(await count('late%'), 0);
    // The payload carries options only: no cell of the file.
    assert.doesNotMatch(job.payload, /late@/);
  });

  it('a worker process killed mid-job (SIGKILL) leaves committed steps; the job run again imports no row twice', async () => {
    const f = file('crash', 10_000);
    const res = await post('?async=1', f.csv);
    assert.equal(res.statusCode, 202, res.body);
    const { jobId } = json(res).data as { jobId: string };
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, ['bin/assent.js', 'worker'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: ctx.url, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (c) => (stderr += c));
      const exited = once(child, 'exit');
      // Killed once a step has committed and before the last: a later step is being written.
      const deadline = Date.now() + 120_000;
      let at = 0;
      for (;;) {
        if (child.exitCode !== null) assert.fail(`the worker exited early (${child.exitCode}): ${stderr}`);
        at = (await t.services.progress.get(jobId))!.done;
        if (at > 0) break;
        if (Date.now() > deadline) assert.fail(`the worker never got going: ${stderr}`);
        await sleep(5);
      }
      child.kill('SIGKILL');
      const [, signal] = await exited;
      assert.equal(signal, 'SIGKILL');
      const killed = (await t.services.progress.get(jobId))!;
      assert.ok(killed.done > 0 && killed.done < killed.total, `killed mid-job (${killed.done} of ${killed.total})`);
      assert.equal(killed.status, 'running');
      assert.ok((await count('crash%')) < f.good, 'the rest was not imported');
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // Another worker, with the clock past the dead one's lease, takes the job up where its last step ended.
    const { last } = await runToEnd(jobId, 'admin', new JobQueue(ctx.db, new FakeClock(new Date(Date.now() + 60_000))));
    assert.deepEqual(last, {
      status: 'done',
      done: 10_001,
      total: 10_001,
      result: { created: f.good, updated: 0, rejected: f.rejected.length, ignoredColumns: [], dryRun: false },
    });
    assert.equal(await count('crash%'), f.good);
    const ledger = await ledgerPerContact('crash%');
    assert.equal(ledger.length, 1_000);
    assert.ok(
      ledger.every((n) => n === 1),
      'one ledger entry per contact: no row was imported twice',
    );
    const lines = (await rejectedCsv(jobId)).body.trimEnd().split('\n').slice(1);
    assert.deepEqual(
      lines.map((l) => Number(l.split(',')[0])),
      f.rejected,
    );
    assert.equal((await ctx.db.kysely.selectFrom('jobs').select('attempts').where('id', '=', jobId).executeTakeFirstOrThrow()).attempts, 2);
    assert.equal((await t.services.ledger.verify()).ok, true);
  });
});
