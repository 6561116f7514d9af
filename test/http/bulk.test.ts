import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from '../../src/jobs/worker.ts';
import { BULK_QUEUE } from '../../src/modules/bulk/bulk.service.ts';
import { jobHandlers } from '../../src/services.ts';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const SYSTEM = { type: 'system', id: null } as const;

forEachDialect('bulk actions over HTTP', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  let n = 0;
  /** Contacts made through the import (fast), returned by id. */
  async function people(count: number, tag: string): Promise<string[]> {
    const prefix = `${tag}${n++}x`;
    const lines = ['email,firstName\n'];
    for (let i = 0; i < count; i++) lines.push(`${prefix}${i}@example.com,Zoë ${i}\n`);
    await t.services.imports.importCsv(lines, { actor: SYSTEM, mayChangeConsent: true });
    const rows = await ctx.db.kysely.selectFrom('contacts').select('id').where('email', 'like', `${prefix}%`).orderBy('id').execute();
    assert.equal(rows.length, count);
    return rows.map((r) => r.id);
  }
  const list = async () => (await t.services.lists.create({ name: `L ${n++} ✓` })).id;
  const post = (url: string, payload: unknown, role: 'admin' | 'marketer' | 'privacy_officer' | 'viewer' = 'admin') =>
    t.app.inject({ method: 'POST', url, headers: t.auth(role), payload: payload as object });
  const members = async (listId: string) =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('list_members')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('list_id', '=', listId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const ledger = async (listId: string, kind: string) =>
    ctx.db.kysely.selectFrom('consent_ledger').select(['contact_id']).where('list_id', '=', listId).where('kind', '=', kind).execute();
  const auditOf = async (reqId: string) => (await t.services.audit.list({}, 10_000)).filter((e) => e.requestId === reqId);

  describe('in the request (up to 1,000 contacts)', () => {
    it('adds and removes contacts named by id: counts, a ledger entry per change, one audit entry with the count', async () => {
      const ids = await people(5, 'sync');
      const l = await list();
      await t.services.lists.join(ids[0]!, l, { source: 'api', actor: SYSTEM });
      const unknown = '01900000-0000-7000-8000-00000000abcd';
      const res = await post(`/api/v1/lists/${l}/members`, { contactIds: [...ids, ids[1], unknown] }, 'marketer');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res).data, { total: 6, added: 4, unchanged: 1, missing: 1 });
      assert.equal(await members(l), 5);
      assert.equal((await ledger(l, 'list_join')).length, 5, 'one entry per join (one before, four now)');
      const entries = await auditOf(res.headers['x-request-id'] as string);
      assert.equal(entries.length, 1);
      assert.deepEqual([entries[0]!.action, entries[0]!.targetId, entries[0]!.count], ['list.bulk_join', l, 6]);

      const gone = await post(`/api/v1/lists/${l}/members/remove`, { contactIds: ids.slice(0, 3) }, 'admin');
      assert.equal(gone.statusCode, 200, gone.body);
      assert.deepEqual(json(gone).data, { total: 3, removed: 3, unchanged: 0, missing: 0 });
      assert.equal(await members(l), 2);
      assert.deepEqual((await ledger(l, 'list_leave')).map((r) => r.contact_id).sort(), ids.slice(0, 3).sort());
      const again = await post(`/api/v1/lists/${l}/members/remove`, { contactIds: ids.slice(0, 3) });
      assert.deepEqual(json(again).data, { total: 3, removed: 0, unchanged: 3, missing: 0 });
      assert.equal((await ledger(l, 'list_leave')).length, 3, 'leaving twice records nothing');
    });

    it('takes a segment: its members now', async () => {
      const ids = await people(4, 'seg');
      await t.services.consent.setLevel(ids[0]!, 3, { source: 'api', actor: SYSTEM });
      await t.services.consent.setLevel(ids[2]!, 3, { source: 'api', actor: SYSTEM });
      const seg = await t.services.segments.create({
        name: `S ${n++}`,
        kind: 'dynamic',
        filter: { and: [{ consent: { atLeast: 3 } }, { field: 'email', op: 'contains', value: '@example.com' }] },
      });
      const l = await list();
      const res = await post(`/api/v1/lists/${l}/members`, { segmentId: seg.id });
      assert.equal(res.statusCode, 200, res.body);
      const before = json(res).data.total;
      assert.ok(before >= 2);
      const on = new Set((await ledger(l, 'list_join')).map((r) => r.contact_id));
      assert.ok(on.has(ids[0]!) && on.has(ids[2]!) && !on.has(ids[1]!) && !on.has(ids[3]!));
    });

    it('sets a consent level through the ledger, a notice re-confirming those already at it', async () => {
      const ids = await people(3, 'consent');
      await t.services.consent.setLevel(ids[0]!, 2, { source: 'api', actor: SYSTEM });
      const res = await post(
        '/api/v1/consent/bulk',
        { contactIds: ids, level: 2, source: 'admin', notice: 'Newsletter, spring édition' },
        'privacy_officer',
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res).data, { total: 3, changed: 2, unchanged: 1, missing: 0, refused: 0 });
      for (const id of ids) assert.equal((await t.services.contacts.get(id)).consentLevel, 2);
      const hist = await t.services.consent.history(ids[0]!);
      assert.deepEqual(
        hist.map((e) => [e.oldValue, e.newValue]),
        [
          [0, 2],
          [2, 2],
        ],
      );
      const entries = await auditOf(res.headers['x-request-id'] as string);
      assert.deepEqual([entries.length, entries[0]!.action, entries[0]!.count], [1, 'consent.bulk_set_level', 3]);
      // Without a notice a repeat records nothing, as for one contact.
      const quiet = await post('/api/v1/consent/bulk', { contactIds: ids, level: 2, source: 'admin' });
      assert.deepEqual(json(quiet).data, { total: 3, changed: 0, unchanged: 3, missing: 0, refused: 0 });
      assert.equal((await t.services.consent.history(ids[1]!)).length, 1);
    });

    it('erases each contact through its own case, with its receipt', async () => {
      const ids = await people(3, 'erase');
      const res = await post(
        '/api/v1/requests/bulk-erasure',
        { contactIds: ids, note: 'Written request of 3 May, identity checked' },
        'privacy_officer',
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res).data, { total: 3, erased: 3, incomplete: 0, missing: 0, uncertain: 0 });
      for (const id of ids) await assert.rejects(t.services.contacts.get(id), /no such contact/);
      const cases = await ctx.db.kysely.selectFrom('requests').select(['id', 'status', 'type']).where('type', '=', 'erasure').execute();
      const receipts = await t.services.erasure.receipts(1000);
      for (const c of cases.slice(-3)) {
        assert.equal(c.status, 'completed');
        assert.ok(
          receipts.some((r) => r.requestId === c.id),
          `case ${c.id} has its receipt`,
        );
      }
      const entries = (await auditOf(res.headers['x-request-id'] as string)).filter((e) => e.action === 'request.bulk_erasure');
      assert.deepEqual([entries.length, entries[0]!.count], [1, 3]);
      const again = await post('/api/v1/requests/bulk-erasure', { contactIds: ids, note: 'Again' });
      assert.deepEqual(json(again).data, { total: 3, erased: 0, incomplete: 0, missing: 3, uncertain: 0 });
    });

    it('refuses hostile bodies before any work', async () => {
      const l = await list();
      const [id] = await people(1, 'hostile');
      const bad: [string, unknown, number, string][] = [
        [`/api/v1/lists/${l}/members`, {}, 400, 'validation_failed'],
        [`/api/v1/lists/${l}/members`, { contactIds: [] }, 400, 'validation_failed'],
        [`/api/v1/lists/${l}/members`, { contactIds: [id], segmentId: id }, 400, 'validation_failed'],
        [`/api/v1/lists/${l}/members`, { contactIds: ['not-an-id'] }, 400, 'validation_failed'],
        [`/api/v1/lists/${l}/members`, { contactIds: [null] }, 400, 'validation_failed'],
        [`/api/v1/lists/${l}/members`, { contactIds: Array.from({ length: 10_001 }, () => id) }, 400, 'validation_failed'],
        [`/api/v1/lists/${l}/members`, { contactIds: [id], extra: 1 }, 400, 'validation_failed'],
        [`/api/v1/lists/${l}/members`, { contactIds: [`${id}\u0000`] }, 400, 'validation_failed'],
        ['/api/v1/lists/01900000-0000-7000-8000-00000000beef/members', { contactIds: [id] }, 404, 'not_found'],
        [`/api/v1/lists/${l}/members`, { segmentId: '01900000-0000-7000-8000-00000000beef' }, 404, 'not_found'],
        ['/api/v1/consent/bulk', { contactIds: [id], level: 9, source: 'api' }, 400, 'validation_failed'],
        ['/api/v1/consent/bulk', { contactIds: [id], level: 2 }, 400, 'validation_failed'],
        ['/api/v1/requests/bulk-erasure', { contactIds: [id], note: '' }, 400, 'validation_failed'],
        ['/api/v1/requests/bulk-erasure', { contactIds: [id], note: 'asked by zoé@example.com' }, 400, 'validation_failed'],
      ];
      for (const [url, body, status, code] of bad) {
        const res = await post(url, body);
        assert.equal(res.statusCode, status, `${JSON.stringify(body).slice(0, 80)}: ${res.body.slice(0, 200)}`);
        assert.equal(json(res).error.code, code);
      }
      assert.equal(await members(l), 0);
      await t.services.contacts.get(id!);
    });
  });

  describe('as a job (more than 1,000 contacts)', () => {
    let ids: string[];
    let prefix: string;
    before(async () => {
      prefix = `big${n}x`;
      ids = await people(10_000, 'big');
    });

    it('sets the consent of a segment of 10,000 as a job, readable by privacy officers and admins only', async () => {
      const seg = await t.services.segments.create({
        name: `Big ${n++}`,
        kind: 'static',
        filter: { field: 'email', op: 'starts_with', value: prefix },
      });
      const res = await post(
        '/api/v1/consent/bulk',
        { segmentId: seg.id, level: 3, source: 'admin', notice: 'Préférences 2026' },
        'privacy_officer',
      );
      assert.equal(res.statusCode, 202, res.body);
      const { jobId } = json(res).data;
      assert.equal((await auditOf(res.headers['x-request-id'] as string))[0]!.count, 10_000);
      const read = (role: 'admin' | 'marketer' | 'privacy_officer' | 'viewer') =>
        t.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: t.auth(role) });
      assert.equal((await read('marketer')).statusCode, 404);
      assert.equal((await read('viewer')).statusCode, 404);
      const worker = new Worker(t.services.jobs, { queues: jobHandlers(t.services), batchSize: 1, pollMs: 10 });
      worker.start();
      let last: { status: string; done: number; total: number; result: unknown };
      try {
        const deadline = Date.now() + 240_000;
        do {
          await new Promise((r) => setTimeout(r, 50));
          last = json(await read('privacy_officer')).data;
        } while (last.status !== 'done' && last.status !== 'failed' && Date.now() < deadline);
      } finally {
        await worker.stop();
      }
      assert.deepEqual(last!, {
        status: 'done',
        done: 10_000,
        total: 10_000,
        result: { total: 10_000, changed: 10_000, unchanged: 0, missing: 0, refused: 0 },
      });
      assert.equal(json(await read('admin')).data.status, 'done');
      const levels = await ctx.db.kysely
        .selectFrom('contacts')
        .select((eb) => ['consent_level', eb.fn.countAll().as('n')])
        .where('email', 'like', `${prefix}%`)
        .groupBy('consent_level')
        .execute();
      assert.deepEqual(
        levels.map((r) => [r.consent_level, Number(r.n)]),
        [[3, 10_000]],
      );
      const entries = await ctx.db.kysely
        .selectFrom('consent_ledger')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('kind', '=', 'level')
        .where('new_value', '=', 3)
        .where('old_value', '=', 0)
        .executeTakeFirstOrThrow();
      assert.ok(Number(entries.n) >= 10_000);
    });

    it('adds 10,000 contacts: 202, progress readable by the role that started it, reaching the end with the counts', async () => {
      const l = await list();
      const res = await post(`/api/v1/lists/${l}/members`, { contactIds: ids }, 'marketer');
      assert.equal(res.statusCode, 202, res.body);
      const { jobId } = json(res).data;
      const entries = await auditOf(res.headers['x-request-id'] as string);
      assert.deepEqual([entries.length, entries[0]!.count, entries[0]!.targetId], [1, 10_000, l]);
      const read = (role: 'admin' | 'marketer' | 'privacy_officer' | 'viewer') =>
        t.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: t.auth(role) });
      assert.deepEqual(json(await read('marketer')).data, { status: 'queued', done: 0, total: 10_000, result: null });
      assert.equal((await read('privacy_officer')).statusCode, 404);
      assert.equal((await read('viewer')).statusCode, 404);

      const worker = new Worker(t.services.jobs, { queues: jobHandlers(t.services), batchSize: 1, pollMs: 10 });
      worker.start();
      const seen: number[] = [];
      let last: { status: string; done: number; total: number; result: unknown };
      try {
        const deadline = Date.now() + 240_000;
        for (;;) {
          last = json(await read('marketer')).data;
          seen.push(last.done);
          if (last.status === 'done' || last.status === 'failed' || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 25));
        }
      } finally {
        await worker.stop();
      }
      assert.deepEqual(last!, {
        status: 'done',
        done: 10_000,
        total: 10_000,
        result: { total: 10_000, added: 10_000, unchanged: 0, missing: 0 },
      });
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => a - b),
        'progress never goes back',
      );
      assert.equal(json(await read('admin')).data.done, 10_000);
      assert.equal(await members(l), 10_000);
      assert.equal((await ledger(l, 'list_join')).length, 10_000);
      assert.equal((await t.services.audit.list({ action: 'list.bulk_join' }, 10_000)).filter((e) => e.targetId === l).length, 1);
      assert.equal((await t.services.ledger.verify()).ok, true);
    });

    it('a job that died midway resumes after its last step and applies nothing twice', async () => {
      const l = await list();
      const target = ids.slice(0, 1_600);
      const res = await post(`/api/v1/lists/${l}/members`, { contactIds: target }, 'admin');
      const { jobId } = json(res).data;
      const [job] = await t.services.jobs.claim(BULK_QUEUE, 'w1', { limit: 1, leaseMs: 60_000 });
      assert.equal(job!.id, jobId);
      // The second step dies, as a worker killed mid-transaction would: its transaction never commits.
      const real = t.services.lists.joinMany.bind(t.services.lists);
      let calls = 0;
      t.services.lists.joinMany = async (...a: Parameters<typeof real>) => {
        if (++calls === 2) throw new Error('killed');
        return real(...a);
      };
      try {
        await assert.rejects(jobHandlers(t.services)[BULK_QUEUE]!(JSON.parse(job!.payload), job!), /killed/);
      } finally {
        t.services.lists.joinMany = real;
      }
      const midway = await t.services.progress.get(jobId);
      assert.equal(midway!.done, 500);
      assert.equal(await members(l), 500);
      // Run again (the lease lapsed), and beside it a third run of the same job: each step is taken once.
      await Promise.all([
        jobHandlers(t.services)[BULK_QUEUE]!(JSON.parse(job!.payload), job!),
        jobHandlers(t.services)[BULK_QUEUE]!(JSON.parse(job!.payload), job!),
      ]);
      const end = await t.services.progress.get(jobId);
      assert.equal(end!.done, 1_600);
      assert.deepEqual(end!.result, { total: 1_600, added: 1_600, unchanged: 0, missing: 0 });
      assert.equal(await members(l), 1_600);
      const joins = await ledger(l, 'list_join');
      assert.equal(joins.length, 1_600);
      assert.equal(new Set(joins.map((r) => r.contact_id)).size, 1_600);
    });

    it('a bulk erasure run again after a crash opens no second case for a contact', async () => {
      const victims = await people(6, 'erasejob');
      const owner = { role: 'privacy_officer', type: 'api_key', id: null };
      const payload = { action: { kind: 'erasure', note: 'Bulk request' }, target: { stored: true }, actor: SYSTEM };
      const job = await t.services.progress.enqueue(BULK_QUEUE, payload, owner, victims.length, {
        with: async (trx, j) => {
          await trx
            .insertInto('bulk_targets')
            .values(victims.map((contact_id) => ({ job_id: j.id, contact_id, created_at: new Date().toISOString() })))
            .execute();
        },
      });
      const real = t.services.fulfil.fulfil.bind(t.services.fulfil);
      let calls = 0;
      t.services.fulfil.fulfil = async (...a: Parameters<typeof real>) => {
        if (++calls === 4) throw new Error('killed');
        return real(...a);
      };
      const cases = async () => (await ctx.db.kysely.selectFrom('requests').select('id').where('type', '=', 'erasure').execute()).length;
      const before = await cases();
      try {
        await assert.rejects(jobHandlers(t.services)[BULK_QUEUE]!(payload, job), /killed/);
      } finally {
        t.services.fulfil.fulfil = real;
      }
      assert.equal((await cases()) - before, 4, 'three erased, the fourth case opened when the run died');
      await jobHandlers(t.services)[BULK_QUEUE]!(payload, job);
      const end = await t.services.progress.get(job.id);
      assert.equal(end!.done, 6);
      // The three erased before the crash are counted from their keys; the fourth, begun and never
      // finished, is not begun again (its case stays open for the privacy officer); two more.
      assert.deepEqual(end!.result, { total: 6, erased: 5, incomplete: 0, missing: 0, uncertain: 1 });
      assert.equal((await cases()) - before, 6, 'no second case for anyone');
      for (const [i, id] of victims.entries()) {
        if (i === 3) await t.services.contacts.get(id);
        else await assert.rejects(t.services.contacts.get(id), /no such contact/);
      }
      // The job names no erased contact anywhere the residue scan reads (its ids are not in its payload).
      const receipts = await t.services.erasure.receipts(5);
      for (const r of receipts.slice(0, 5)) assert.deepEqual(r.residue, []);
    });
  });

  describe('CSV export', () => {
    it('streams the segment with level names, list names and custom fields, formulas neutralised', async () => {
      await t.services.customFields.define({ name: 'plan', type: 'text', personal: false }).catch(() => undefined);
      const c = await t.services.contacts.create({
        email: `csv${n++}@example.com`,
        firstName: '=HYPERLINK("x")',
        lastName: 'Ñúñez',
        customFields: { plan: '+gold' },
      });
      await t.services.consent.setLevel(c.id, 4, { source: 'api', actor: SYSTEM });
      const a = await t.services.lists.create({ name: `Beta ${n++}` });
      const b = await t.services.lists.create({ name: `@lpha ${n++}` });
      await t.services.lists.join(c.id, a.id, { source: 'api', actor: SYSTEM });
      await t.services.lists.join(c.id, b.id, { source: 'api', actor: SYSTEM });
      const seg = await t.services.segments.create({
        name: `E ${n++}`,
        kind: 'static',
        filter: { field: 'email', op: '=', value: c.email },
      });
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/contacts/export?segment=${seg.id}`,
        headers: t.auth('privacy_officer'),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.headers['content-type'] as string, /^text\/csv/);
      const [header, row, end] = res.body.split('\n');
      assert.equal(end, '');
      const cols = header!.split(',');
      const cells = Object.fromEntries(cols.map((h, i) => [h, row!.split(',')[i]]));
      const level = (await t.services.settings.get()).consentLevels.find((l) => l.level === 4)!.name;
      assert.equal(cells.consentLevel, '4');
      assert.equal(cells.consentLevelName, level);
      // In name order, the cell neutralised as a whole (it starts with @).
      assert.equal(cells.lists, `'${b.name}; ${a.name}`);
      assert.equal(cells['customFields.plan'], "'+gold");
      assert.match(row!, /"'=HYPERLINK\(""x""\)"/);
      assert.equal(cells.lastName, 'Ñúñez');
      const entries = await auditOf(res.headers['x-request-id'] as string);
      assert.deepEqual([entries.length, entries[0]!.action, entries[0]!.targetId, entries[0]!.count], [1, 'contact.export', seg.id, 1]);
    });

    it('answers 404 as JSON for an unknown segment, 400 without one', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/v1/contacts/export?segment=01900000-0000-7000-8000-00000000beef',
        headers: t.auth('admin'),
      });
      assert.equal(res.statusCode, 404);
      assert.equal(json(res).error.code, 'not_found');
      const none = await t.app.inject({ method: 'GET', url: '/api/v1/contacts/export', headers: t.auth('admin') });
      assert.equal(none.statusCode, 400);
    });
  });
});
