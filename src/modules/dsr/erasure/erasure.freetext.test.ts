// Erasure that says "done" only when it is (issue 9, points 5 and 11): identifiers in free text
// that staff typed, in the person's own case and elsewhere, and what the answer says about them.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../../test/helpers/db.ts';
import { loadConfig } from '../../../config.ts';
import { FakeClock } from '../../../lib/clock.ts';
import type { AppError } from '../../../lib/errors.ts';
import { newId } from '../../../lib/ids.ts';
import { createLogger } from '../../../lib/log.ts';
import { signToken } from '../../../lib/signed.ts';
import { createServices, type Services } from '../../../services.ts';
import type { Actor } from '../../audit/audit.model.ts';
import { CLI_ACTOR } from '../../audit/audit.model.ts';

const STAFF: Actor = { type: 'api_key', id: '01900000-0000-7000-8000-0000000000f1' };
const api = { source: 'api' as const, actor: STAFF };

/** Everything a value of these tables and columns holds, as one lower-cased text. */
async function textOf(s: Services, table: string, columns: string[], where?: [string, string]): Promise<string> {
  const cols = columns.map((c) => sql.ref(c));
  const q = where
    ? sql`select ${sql.join(cols)} from ${sql.table(table)} where ${sql.ref(where[0])} = ${where[1]}`
    : sql`select ${sql.join(cols)} from ${sql.table(table)}`;
  return JSON.stringify((await q.execute(s.db.kysely)).rows).toLowerCase();
}

forEachDialect('erasure and free text', (ctx) => {
  const clock = new FakeClock('2026-04-01T09:00:00.000Z');
  let s: Services;
  const tasksOf = async (filter: { requestId?: string }) => s.tasks.list(filter, 500);
  const byReceipt = async (receiptId: string) => (await s.tasks.list({}, 1000)).filter((t) => t.receiptId === receiptId);

  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });

  it(
    'an address in a tracked URL and in a segment: counters never held it, the filter value is replaced and the segment flagged, the ' +
      'name becomes a task; the answer says incomplete',
    async () => {
      const ada = await s.contacts.create({ email: 'ada.case@example.org', firstName: 'Ada', lastName: 'Lovecase' });
      await s.consent.setLevel(ada.id, 5, api);
      await s.interactions.ingest([{ type: 'page_visited', contactId: ada.id, url: 'https://shop.example/u/ada.case@example.org/orders' }]);
      const seg = await s.segments.create({
        name: 'Ada (ada.case@example.org)',
        kind: 'dynamic',
        filter: {
          or: [
            { field: 'email', op: '=', value: 'ada.case@example.org' },
            { field: 'email', op: 'in', value: ['x@example.org', 'ADA.CASE@example.org'] },
          ],
        },
      });
      const bystander = await s.segments.create({ name: 'Everyone', kind: 'dynamic', filter: { consent: { atLeast: 0 } } });

      const r = await s.erasure.erase({ contactIds: [ada.id] }, { actor: CLI_ACTOR });

      assert.equal(r.complete, false, 'residue remains: the erasure is not complete');
      assert.ok(r.residue.includes('segments.name'), r.residue.join());
      for (const gone of ['segments.filter', 'interaction_stats.ref'])
        assert.ok(!r.residue.includes(gone), `${gone} in ${r.residue.join()}`);
      assert.ok(
        r.residue.every((x) => x === 'segments.name' || x.startsWith('file:')),
        r.residue.join(),
      );
      assert.equal(r.receipts[0]!.complete, false);

      // The filter stays valid: the address is replaced, the rest of the tree kept.
      const after = await s.segments.get(seg.id);
      assert.deepEqual(after.filter, {
        or: [
          { field: 'email', op: '=', value: '[redacted]' },
          { field: 'email', op: 'in', value: ['x@example.org', '[redacted]'] },
        ],
      });
      assert.equal(await s.segments.count(seg.id), 0);
      assert.equal(after.name, 'Ada (ada.case@example.org)', 'names are not rewritten behind their owner');
      assert.equal(after.flagged, true);
      assert.match(after.flagDetail ?? '', /filter/);
      assert.match(after.flagDetail ?? '', /name/);
      // (Ids are hex: "ada" alone could be part of one.)
      for (const bad of ['ada.case', 'lovecase']) assert.ok(!after.flagDetail!.toLowerCase().includes(bad), after.flagDetail!);
      assert.equal((await s.segments.get(bystander.id)).flagged, false);

      assert.ok(!(await textOf(s, 'interaction_stats', ['ref'])).includes('ada.case'));

      // What cannot be removed is a task naming table, column and row, never the value.
      const tasks = await byReceipt(r.receipts[0]!.id);
      assert.deepEqual(r.tasks.map((t) => t.id).sort(), tasks.map((t) => t.id).sort());
      const name = tasks.find((t) => t.residue?.location === 'segments.name');
      assert.ok(name, JSON.stringify(tasks));
      assert.deepEqual(name.residue, { kind: 'residue', location: 'segments.name', table: 'segments', column: 'name', rowId: seg.id });
      assert.equal(name.status, 'open');
      assert.equal(name.type, 'erasure_residue');
      for (const bad of ['ada.case', 'lovecase']) assert.ok(!JSON.stringify(tasks).toLowerCase().includes(bad), JSON.stringify(tasks));
      assert.ok(!tasks.some((t) => t.residue?.location === 'segments.filter' || t.residue?.location === 'interaction_stats.ref'));
    },
  );

  it(
    'Nora Notewright: her case notes and extension reason are redacted, elsewhere tasks; the case stays in progress until the tasks ' +
      'are done',
    async () => {
      const nora = await s.contacts.create({
        email: 'nora.notewright@example.org',
        firstName: 'Nora',
        lastName: 'Notewright',
        phone: '+44 20 7946 0123',
      });
      await s.consent.setLevel(nora.id, 4, { ...api, notice: 'Consent confirmed by Nora Notewright on the phone' });
      const list = await s.lists.create({ name: 'Friends of NOTEWRIGHT,  Nora' });
      const seg = await s.segments.create({
        name: "Nora's picks",
        kind: 'dynamic',
        filter: {
          and: [
            { field: 'firstName', op: '=', value: 'Nora' },
            { field: 'email', op: '=', value: 'nora.notewright@example.org' },
          ],
        },
      });
      const c = await s.requests.open(
        { type: 'erasure', email: nora.email, verified: true, note: 'verified by phone +44 20 7946 0123, spoke to Nora Notewright' },
        { actor: STAFF, channel: 'staff', ownerId: null },
      );
      await s.requests.extend(c.id, 'Notewright, Nora asked us to wait for her lawyer', STAFF);
      await s.requests.patch(c.id, { note: 'Nora called again on 020 7946 0123' }, STAFF);
      // Another person's case mentions her: that history is someone else's evidence, so a task.
      const bob = await s.requests.open(
        { type: 'access', email: 'bob.other@example.org', verified: true, note: 'Bob was referred by nora notewright' },
        { actor: STAFF, channel: 'staff', ownerId: null },
      );

      const done = await s.fulfil.fulfil(c.id, {}, STAFF);

      assert.equal(done.status, 'in_progress', 'residue remains: the case is not completed');
      assert.equal(done.flagged, true);
      for (const where of ['notices.text', 'request_events.note', 'lists.name'])
        assert.ok(done.flagDetail?.includes(where), `${where} in ${done.flagDetail}`);
      const last = done.history!.at(-1)!;
      assert.match(last.note ?? '', /not complete|incomplete/i);
      assert.match(last.note ?? '', /task/);

      // Her own case: every note and the extension reason hold no identifier any more, and the history says so.
      const own = await textOf(s, 'request_events', ['note'], ['request_id', c.id]);
      for (const bad of ['nora', 'notewright', '7946', '0123']) assert.ok(!own.includes(bad), `${bad} in ${own}`);
      assert.ok(own.includes('[redacted]'));
      assert.ok(
        done.history!.some((e) => /redact/i.test(e.note ?? '') && /history|note/i.test(e.note ?? '')),
        JSON.stringify(done.history),
      );
      assert.ok(
        !done.extensionReason!.toLowerCase().includes('nora') && done.extensionReason!.includes('[redacted]'),
        done.extensionReason!,
      );

      // The segment: the address replaced (the filter stays valid), the segment flagged.
      const sg = await s.segments.get(seg.id);
      assert.deepEqual(sg.filter, {
        and: [
          { field: 'firstName', op: '=', value: 'Nora' },
          { field: 'email', op: '=', value: '[redacted]' },
        ],
      });
      assert.equal(sg.flagged, true);
      assert.equal(await s.segments.preview(sg.filter), 0);

      // Bob's case is not hers: its note stays, and becomes a task.
      assert.ok((await textOf(s, 'request_events', ['note'], ['request_id', bob.id])).includes('nora notewright'));
      const bobs = await s.requests.get(bob.id);
      assert.equal(bobs.flagged, true, 'the other case is flagged for its owner');
      assert.match(bobs.flagDetail ?? '', /request_events\.note/);

      const tasks = (await tasksOf({ requestId: c.id })).filter((t) => t.residue);
      const at = (location: string) => tasks.filter((t) => t.residue!.location === location);
      const noticeId = (await sql<{ id: string }>`select id from notices where text like ${'%Notewright%'}`.execute(s.db.kysely)).rows[0]!
        .id;
      assert.deepEqual(
        at('notices.text').map((t) => [t.residue!.kind, t.residue!.rowId]),
        [['residue', noticeId]],
      );
      assert.deepEqual(
        at('lists.name').map((t) => [t.residue!.kind, t.residue!.rowId]),
        [['residue', list.id]],
      );
      assert.equal(at('request_events.note').length, 1);
      assert.equal(at('request_events.note')[0]!.residue!.kind, 'residue');
      // Her first name alone is weak evidence: a task to look at, not residue.
      assert.deepEqual(
        at('segments.name').map((t) => [t.residue!.kind, t.residue!.rowId]),
        [['review', seg.id]],
      );
      assert.deepEqual(
        at('segments.filter').map((t) => [t.residue!.kind, t.residue!.rowId]),
        [['review', seg.id]],
      );
      assert.ok(!JSON.stringify(tasks).toLowerCase().includes('nora'), 'tasks never hold the value');

      // Completed later: refused while residue tasks are open, then completed once they are done.
      await assert.rejects(s.fulfil.fulfil(c.id, {}, STAFF), (e: AppError) => e.code === 'erasure_residue_open');
      for (const t of tasks.filter((x) => x.residue!.kind === 'residue')) await s.tasks.patch(t.id, { status: 'done' });
      const completed = await s.fulfil.fulfil(c.id, {}, STAFF);
      assert.equal(completed.status, 'completed');
      assert.match(completed.history!.at(-1)!.note ?? '', /task/);
    },
  );

  it('a clean erasure completes; a first name other people share only asks for a look, it does not flag the case', async () => {
    const anna = await s.contacts.create({ email: 'anna.plain@example.org', firstName: 'Anna', lastName: 'Plainfield' });
    await s.segments.create({ name: 'Anna and friends', kind: 'dynamic', filter: { field: 'firstName', op: '=', value: 'Anna' } });
    const c = await s.requests.open(
      { type: 'erasure', email: anna.email, verified: true, note: 'verified in person' },
      { actor: STAFF, channel: 'staff', ownerId: null },
    );
    const done = await s.fulfil.fulfil(c.id, {}, STAFF);
    assert.equal(done.status, 'completed');
    assert.equal(done.flagged, false);
    const review = (await tasksOf({ requestId: c.id })).filter((t) => t.residue);
    assert.ok(review.length >= 1 && review.every((t) => t.residue!.kind === 'review'), JSON.stringify(review));

    const clean = await s.contacts.create({
      email: 'zoltan.clean@example.org',
      firstName: 'Zoltan',
      lastName: 'Cleanwater',
      phone: '+49 30 9999 1234',
    });
    const r = await s.erasure.erase({ contactIds: [clean.id] }, { actor: CLI_ACTOR });
    assert.equal(r.complete, true);
    assert.deepEqual(r.residue, []);
    assert.deepEqual(r.tasks, []);
  });

  it('the scan knows the full name in either order and with any spacing, and a name from before a rectification', async () => {
    const rita = await s.contacts.create({ email: 'rita.r@example.org', firstName: 'Rita', lastName: 'Oldmaiden' });
    // An export made before the rectification is the one place that still knows the old name.
    await s.accessExports.createDownload(rita.id, { actor: STAFF });
    await s.contacts.update(rita.id, { lastName: 'Newhusband' });
    const l1 = await s.lists.create({ name: 'Oldmaiden Rita (VIP)' });
    const l2 = await s.lists.create({ name: 'Guests', description: 'rita   NEWHUSBAND' });
    const r = await s.erasure.erase({ contactIds: [rita.id] }, { actor: CLI_ACTOR });
    assert.equal(r.complete, false);
    assert.ok(r.residue.includes('lists.name') && r.residue.includes('lists.description'), r.residue.join());
    const tasks = await byReceipt(r.receipts[0]!.id);
    assert.deepEqual(
      tasks
        .filter((t) => t.residue?.location.startsWith('lists.'))
        .map((t) => [t.residue!.location, t.residue!.rowId])
        .sort(),
      [
        ['lists.description', l2.id],
        ['lists.name', l1.id],
      ],
    );
  });

  it("a person's pending public requests are closed as erased, and their links stop working", async () => {
    const pia = await s.contacts.create({ email: 'pia.pending@example.org' });
    const anonymous = { type: 'anonymous' as const, id: null };
    const pending = await s.requests.open({ type: 'access', email: pia.email }, { actor: anonymous, channel: 'public', ownerId: null });
    const verified = await s.requests.open({ type: 'objection', email: pia.email }, { actor: anonymous, channel: 'public', ownerId: null });
    await s.requests.patch(verified.id, { status: 'verified', note: 'confirmed' }, STAFF);
    const someoneElse = await s.requests.open(
      { type: 'access', email: 'not.pia@example.org' },
      { actor: anonymous, channel: 'public', ownerId: null },
    );
    const token = signToken(await s.secret.key(), 'dsr-verify', pending.id, new Date(clock.now().getTime() + 3600_000));
    assert.ok(await s.requestVerification.check(token), 'the link works before');

    await s.erasure.erase({ contactIds: [pia.id] }, { actor: CLI_ACTOR });

    for (const id of [pending.id, verified.id]) {
      const c = await s.requests.get(id);
      assert.equal(c.status, 'rejected', id);
      assert.equal(c.history!.at(-1)!.note, 'erased');
      assert.ok((await tasksOf({ requestId: id })).every((t) => t.status === 'done'));
    }
    assert.equal(await s.requestVerification.check(token), null);
    assert.equal(await s.requestVerification.confirm(token), 'invalid');
    assert.equal((await s.requests.get(someoneElse.id)).status, 'received');
  });

  it('is generic over the map: a free-text column declared on a case table is redacted, one elsewhere becomes a task', async () => {
    const s2 = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await sql`create table scratch_case_notes (id text primary key, request_id text, body text)`.execute(ctx.db.kysely);
    await sql`create table scratch_labels (id text primary key, label text)`.execute(ctx.db.kysely);
    s2.datamap.addProvider(async () => [
      {
        name: 'scratch_case_notes',
        description: 'notes on cases',
        subjectLink: null,
        partOf: { table: 'requests', column: 'request_id' },
        purposes: ['legal_obligation'],
        retention: null,
        columns: [
          { name: 'id', category: 'system.id', personal: false, erase: 'keep', exported: false },
          { name: 'request_id', category: 'system.ref.request', personal: false, erase: 'keep', exported: false },
          { name: 'body', category: 'dsr.note', personal: false, erase: 'redact', exported: false, freeText: true },
        ],
      },
      {
        name: 'scratch_labels',
        description: 'labels',
        subjectLink: null,
        purposes: ['operations'],
        retention: null,
        columns: [
          { name: 'id', category: 'system.id', personal: false, erase: 'keep', exported: false },
          { name: 'label', category: 'system.label', personal: false, erase: 'keep', exported: false, freeText: true },
        ],
      },
    ]);
    try {
      assert.deepEqual(await s2.datamap.validate(), []);
      const gus = await s2.contacts.create({ email: 'gus.generic@example.org', firstName: 'Gus', lastName: 'Genericson' });
      const c = await s2.requests.open(
        { type: 'erasure', email: gus.email, verified: true, note: 'ok' },
        { actor: STAFF, channel: 'staff', ownerId: null },
      );
      const other = await s2.requests.open(
        { type: 'access', email: 'h@example.org', verified: true, note: 'ok' },
        { actor: STAFF, channel: 'staff', ownerId: null },
      );
      const mine = newId();
      const theirs = newId();
      const label = newId();
      await sql`insert into scratch_case_notes values (${mine}, ${c.id}, 'Gus Genericson rang, gus.generic@example.org'), (${theirs},
        ${other.id}, 'asked about Gus Genericson')`.execute(ctx.db.kysely);
      await sql`insert into scratch_labels values (${label}, 'for GENERICSON Gus')`.execute(ctx.db.kysely);
      const r = await s2.erasure.erase({ emails: [gus.email] }, { actor: CLI_ACTOR, requestIds: [c.id] });
      const body = (id: string) =>
        sql<{ body: string }>`select body from scratch_case_notes where id = ${id}`.execute(ctx.db.kysely).then((x) => x.rows[0]!.body);
      assert.equal(await body(mine), '[redacted] rang, [redacted]');
      assert.equal(await body(theirs), 'asked about Gus Genericson');
      assert.equal(r.tables.scratch_case_notes, 1);
      const locations = r.tasks.map((t) => `${t.location}#${t.rowId}`).sort();
      assert.ok(locations.includes(`scratch_case_notes.body#${theirs}`), locations.join());
      assert.ok(locations.includes(`scratch_labels.label#${label}`), locations.join());
      assert.equal(r.complete, false);
    } finally {
      await sql`drop table scratch_case_notes`.execute(ctx.db.kysely);
      await sql`drop table scratch_labels`.execute(ctx.db.kysely);
    }
  });
});
