import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ROLES } from '../../src/http/principal.ts';
import { PROGRESS_STATUSES } from '../../src/jobs/progress.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('job progress over HTTP', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const read = (id: string, role: (typeof ROLES)[number]) =>
    t.app.inject({ method: 'GET', url: `/api/v1/jobs/${id}`, headers: t.auth(role) });

  it('lets admins and the role that started a job read it, and tells every other role it does not exist', async () => {
    for (const owner of ROLES) {
      const job = await t.services.progress.enqueue('test-q', { n: 1 }, { role: owner, type: 'api_key', id: null }, 7);
      for (const reader of ROLES) {
        const res = await read(job.id, reader);
        if (reader === 'admin' || reader === owner) {
          assert.equal(res.statusCode, 200, `${reader} reads ${owner}'s job: ${res.body}`);
          assert.deepEqual(json(res).data, { status: 'queued', done: 0, total: 7, result: null });
        } else {
          assert.equal(res.statusCode, 404, `${reader} may not read ${owner}'s job`);
          assert.equal(json(res).error.code, 'not_found');
        }
      }
    }
  });

  it('answers 404 for an id that names no tracked job (an untracked job too), 400 for one that is no id', async () => {
    const untracked = await t.services.jobs.enqueue('test-q', {});
    for (const id of [untracked.id, '01900000-0000-7000-8000-0000000000ff']) {
      const res = await read(id, 'admin');
      assert.equal(res.statusCode, 404);
      assert.equal(json(res).error.code, 'not_found');
    }
    for (const bad of ['nope', '%E2%80%AE', "1'or'1"]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/jobs/${bad}`, headers: t.auth('admin') });
      assert.equal(res.statusCode, 400, bad);
    }
  });

  it('shows the job queued, running, then done with its result, and failed when its attempts are spent', async () => {
    const owner = { role: 'marketer', type: 'api_key', id: null };
    const job = await t.services.progress.enqueue('progress-q', {}, owner, 3);
    assert.equal(json(await read(job.id, 'marketer')).data.status, 'queued');
    const [claimed] = await t.services.jobs.claim('progress-q', 'w1', { limit: 1, leaseMs: 60_000 });
    assert.equal(claimed!.id, job.id);
    assert.equal(json(await read(job.id, 'marketer')).data.status, 'running');
    // Steps move the cursor; a step run twice from the same place is refused the second time.
    let applied = 0;
    const work = async () => {
      applied++;
    };
    assert.equal((await t.services.progress.step(job.id, { from: null, to: 'a', by: 2 }, work)).applied, true);
    assert.equal((await t.services.progress.step(job.id, { from: null, to: 'a', by: 2 }, work)).applied, false);
    assert.equal(applied, 1);
    assert.deepEqual(json(await read(job.id, 'marketer')).data, { status: 'running', done: 2, total: 3, result: null });
    await t.services.progress.step(job.id, { from: 'a', to: 'b', by: 1 }, work);
    await t.services.progress.finish(job.id, { added: 3 });
    assert.equal(await t.services.jobs.complete(claimed!, 'w1'), true);
    assert.deepEqual(json(await read(job.id, 'admin')).data, { status: 'done', done: 3, total: 3, result: { added: 3 } });

    const dying = await t.services.progress.enqueue('dying-q', {}, owner, 1, { maxAttempts: 1 });
    const [d] = await t.services.jobs.claim('dying-q', 'w1', { limit: 1, leaseMs: 60_000 });
    await t.services.jobs.fail(d!, 'w1', 'boom');
    assert.equal(json(await read(dying.id, 'marketer')).data.status, 'failed');
  });

  it('a retry waiting after a failed attempt reads as running', async () => {
    const job = await t.services.progress.enqueue('retry-q', {}, { role: 'admin', type: 'user', id: null }, 1, { maxAttempts: 3 });
    const [c] = await t.services.jobs.claim('retry-q', 'w1', { limit: 1, leaseMs: 60_000 });
    await t.services.jobs.fail(c!, 'w1', 'transient');
    assert.equal(json(await read(job.id, 'admin')).data.status, 'running');
  });

  it('documents every status it can answer', async () => {
    const doc = json(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    const op = doc.paths['/api/v1/jobs/{id}'].get;
    assert.ok(op.summary && op.description);
    const status = op.responses['200'].content['application/json'].schema.properties.data.properties.status;
    const named = (status.anyOf ?? status.oneOf).map((s: { const?: string; enum?: string[] }) => s.const ?? s.enum?.[0]);
    assert.deepEqual([...named].sort(), [...PROGRESS_STATUSES].sort());
  });
});
