// The erasure answer's contract when residue remains (issue 9, points 5 and 11), through the API.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeClock } from '../../src/lib/clock.ts';
import { LINK_QUEUE } from '../../src/modules/dsr/requests/requests.intake.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';
import { runJobs } from '../helpers/jobs.ts';

forEachDialect('erasure answers with residue', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-04-02T10:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  const po = () => t.auth('privacy_officer');
  const linkTo = async (to: string) => {
    const mail = (await t.services.mail.listOutbox({ limit: 500 })).items.find((m) => m.to === to);
    const m = /\/public\/v1\/requests\/verify\?token=(\S+)/.exec(mail?.text ?? '');
    assert.ok(m, 'a verification link was mailed');
    return decodeURIComponent(m[1]!);
  };

  it(
    'POST /contacts/{id}/erase says complete: false with the residue and the tasks; the segment shows its flag; the pending public ' +
      'request and its link are closed',
    async () => {
      const email = 'ada.probe@example.org';
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/contacts',
        headers: t.auth('marketer'),
        payload: { email, firstName: 'Ada', lastName: 'Probeworth' },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = json(created).data.id as string;
      const seg = await t.app.inject({
        method: 'POST',
        url: '/api/v1/segments',
        headers: t.auth('marketer'),
        payload: { name: `Ada (${email})`, kind: 'dynamic', filter: { field: 'email', op: '=', value: email } },
      });
      assert.equal(seg.statusCode, 201, seg.body);
      const segId = json(seg).data.id as string;
      assert.equal(json(seg).data.flagged, false);

      const intake = await t.app.inject({
        method: 'POST',
        url: '/public/v1/requests',
        payload: { type: 'access', email },
        remoteAddress: '10.9.0.1',
      });
      assert.equal(intake.statusCode, 202);
      await runJobs(t.services, [LINK_QUEUE]);
      const token = await linkTo(email);
      const page = () => t.app.inject({ method: 'GET', url: `/public/v1/requests/verify?token=${encodeURIComponent(token)}` });
      assert.equal((await page()).statusCode, 200);

      const res = await t.app.inject({ method: 'POST', url: `/api/v1/contacts/${id}/erase`, headers: po() });
      assert.equal(res.statusCode, 200, res.body);
      const r = json(res).data;
      assert.equal(r.complete, false);
      assert.ok(r.residue.includes('segments.name'), r.residue);
      assert.ok(!r.residue.includes('segments.filter'), r.residue);
      const nameTask = r.tasks.find((x: { location: string }) => x.location === 'segments.name');
      assert.deepEqual({ ...nameTask, id: undefined }, { id: undefined, kind: 'residue', location: 'segments.name', rowId: segId });
      assert.ok(!res.body.includes('ada.probe'), 'the answer holds no value');

      const task = await t.app.inject({ method: 'GET', url: `/api/v1/tasks/${nameTask.id}`, headers: po() });
      assert.equal(task.statusCode, 200, task.body);
      assert.deepEqual(json(task).data.residue, {
        kind: 'residue',
        location: 'segments.name',
        table: 'segments',
        column: 'name',
        rowId: segId,
      });
      assert.equal(json(task).data.receiptId, r.id);

      const after = json(await t.app.inject({ method: 'GET', url: `/api/v1/segments/${segId}`, headers: t.auth('marketer') })).data;
      assert.equal(after.flagged, true);
      assert.equal(after.filter.value, '[redacted]');
      assert.equal(typeof after.flagDetail, 'string');
      const cleared = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/segments/${segId}`,
        headers: t.auth('marketer'),
        payload: { name: 'Ada', flagged: false },
      });
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.deepEqual([json(cleared).data.flagged, json(cleared).data.flagDetail, json(cleared).data.name], [false, null, 'Ada']);

      const receipt = json(await t.app.inject({ method: 'GET', url: `/api/v1/erasures/${r.id}`, headers: po() })).data;
      assert.equal(receipt.complete, false);

      // The pending public request of the same address is closed, and its link shows the generic invalid page.
      const cases = json(await t.app.inject({ method: 'GET', url: '/api/v1/requests?status=rejected', headers: po() })).data as {
        id: string;
        channel: string;
      }[];
      assert.equal(cases.filter((c) => c.channel === 'public').length, 1);
      const gone = await page();
      assert.equal(gone.statusCode, 400);
      const other = await t.app.inject({ method: 'GET', url: '/public/v1/requests/verify?token=nonsense' });
      assert.equal(gone.body, other.body, 'the same page as any invalid link');
      const post = await t.app.inject({
        method: 'POST',
        url: '/public/v1/requests/verify',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token }).toString(),
      });
      assert.equal(post.statusCode, 400);
    },
  );

  it(
    'fulfil leaves an erasure case in progress while residue tasks are open (409 erasure_residue_open), and completes it once they ' +
      'are done',
    async () => {
      const email = 'nora.api@example.org';
      await t.services.contacts.create({ email, firstName: 'Nora', lastName: 'Apiwright' });
      await t.services.lists.create({ name: 'Nora Apiwright fans' });
      const open = await t.app.inject({
        method: 'POST',
        url: '/api/v1/requests',
        headers: po(),
        payload: { type: 'erasure', email, verified: true, note: 'verified by phone with Nora Apiwright' },
      });
      assert.equal(open.statusCode, 201, open.body);
      const id = json(open).data.id as string;

      const first = await t.app.inject({ method: 'POST', url: `/api/v1/requests/${id}/fulfil`, headers: po(), payload: {} });
      assert.equal(first.statusCode, 200, first.body);
      const c = json(first).data;
      assert.equal(c.status, 'in_progress');
      assert.equal(c.flagged, true);
      assert.match(c.flagDetail, /lists\.name/);
      assert.ok(!first.body.toLowerCase().includes('apiwright'), 'neither the answer nor the history holds the name');

      const again = await t.app.inject({ method: 'POST', url: `/api/v1/requests/${id}/fulfil`, headers: po(), payload: {} });
      assert.equal(again.statusCode, 409);
      assert.equal(json(again).error.code, 'erasure_residue_open');

      const tasks = json(await t.app.inject({ method: 'GET', url: `/api/v1/tasks?request=${id}&status=open`, headers: po() })).data as {
        id: string;
        residue: { kind: string } | null;
      }[];
      const residue = tasks.filter((x) => x.residue?.kind === 'residue');
      assert.ok(residue.length >= 1);
      for (const x of residue)
        assert.equal(
          (await t.app.inject({ method: 'PATCH', url: `/api/v1/tasks/${x.id}`, headers: po(), payload: { status: 'done' } })).statusCode,
          200,
        );
      const done = await t.app.inject({ method: 'POST', url: `/api/v1/requests/${id}/fulfil`, headers: po(), payload: {} });
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(json(done).data.status, 'completed');
    },
  );

  it('DELETE /contacts/{id} answers 204 only when the erasure is complete; with residue 202 and the same answer as erase', async () => {
    const mk = async (email: string, firstName: string, lastName: string) => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/contacts',
        headers: t.auth('marketer'),
        payload: { email, firstName, lastName },
      });
      return json(r).data.id as string;
    };
    const clean = await mk('del.clean@example.org', 'Delia', 'Cleanslate');
    const res1 = await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${clean}`, headers: po() });
    assert.equal(res1.statusCode, 204, res1.body);

    const dirty = await mk('del.dirty@example.org', 'Dora', 'Dirtmeyer');
    const list = await t.services.lists.create({ name: 'Dora Dirtmeyer VIPs' });
    const res2 = await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${dirty}`, headers: po() });
    assert.equal(res2.statusCode, 202, res2.body);
    const a = json(res2).data;
    assert.equal(a.complete, false);
    assert.ok(a.residue.includes('lists.name'));
    assert.ok(a.tasks.some((x: { location: string; rowId: string }) => x.location === 'lists.name' && x.rowId === list.id));
    assert.ok(!res2.body.toLowerCase().includes('dirtmeyer'));
  });
});
