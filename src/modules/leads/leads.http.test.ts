import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { foldText } from '../../db/text-fold.ts';
import { liveColumns } from '../../db/introspect.ts';
import { FakeClock } from '../../lib/clock.ts';
import type { Role } from '../users/users.model.ts';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';

forEachDialect('leads API', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let t: TestApp;
  let ana: string;
  let bo: string;
  let owner: string;
  before(async () => {
    t = await testApp(ctx.db, { clock });
    ana = (await t.services.contacts.create({ email: 'ana@example.com', firstName: 'Ana', lastName: 'Silva' })).id;
    bo = (await t.services.contacts.create({ email: 'bo@example.com' })).id;
    owner = (await t.services.users.createUser({ email: 'sales@example.com', role: 'marketer', password: 'a long password!' })).id;
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, role: Role = 'marketer') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const paths = (res: Parameters<typeof json>[0]) => (json(res).error.details as { path: string }[]).map((d) => d.path).sort();
  const eventsOf = async (leadId: string) =>
    (
      await ctx.db.kysely
        .selectFrom('events')
        .select(['type', 'contact_id', 'data'])
        .where('type', 'like', 'lead.%')
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    )
      .map((e) => ({ type: e.type, contactId: e.contact_id, data: JSON.parse(e.data) as Record<string, unknown> }))
      .filter((e) => e.data.leadId === leadId);

  it('creates, reads, changes and deletes a lead, with its contact summary and one event per change (ids only)', async () => {
    const res = await call('POST', '/api/v1/leads', { contactId: ana, title: '  Renewal 2027  ', ownerId: owner, value: 1200.5 });
    assert.equal(res.statusCode, 201, res.body);
    const lead = json(res).data;
    assert.equal(lead.title, 'Renewal 2027', 'trimmed');
    assert.equal(lead.status, 'open', 'the default status');
    assert.equal(lead.ownerId, owner);
    assert.equal(lead.value, 1200.5);
    assert.deepEqual(lead.contact, { id: ana, email: 'ana@example.com', firstName: 'Ana', lastName: 'Silva' });
    assert.deepEqual(json(await call('GET', `/api/v1/leads/${lead.id}`, undefined, 'viewer')).data, lead);

    clock.advance(60_000);
    const patched = await call('PATCH', `/api/v1/leads/${lead.id}`, { status: 'won', value: null, ownerId: null });
    assert.equal(patched.statusCode, 200, patched.body);
    const p = json(patched).data;
    assert.deepEqual([p.status, p.value, p.ownerId, p.title, p.contactId], ['won', null, null, 'Renewal 2027', ana]);
    assert.notEqual(p.updatedAt, lead.updatedAt);
    // The same patch again changes nothing, and announces nothing.
    assert.equal((await call('PATCH', `/api/v1/leads/${lead.id}`, { status: 'won' })).statusCode, 200);
    const refused = await call('PATCH', `/api/v1/leads/${lead.id}`, { contactId: bo });
    assert.equal(refused.statusCode, 400, 'the contact is not a patch field');

    assert.equal((await call('DELETE', `/api/v1/leads/${lead.id}`)).statusCode, 204);
    const gone = await call('GET', `/api/v1/leads/${lead.id}`);
    assert.equal(gone.statusCode, 404);
    assert.equal(json(gone).error.code, 'lead_not_found');
    assert.equal(json(await call('DELETE', `/api/v1/leads/${lead.id}`)).error.code, 'lead_not_found');
    assert.equal(json(await call('PATCH', `/api/v1/leads/${lead.id}`, { title: 'x' })).error.code, 'lead_not_found');

    const evs = await eventsOf(lead.id);
    assert.deepEqual(
      evs.map((e) => e.type),
      ['lead.created', 'lead.updated', 'lead.deleted'],
    );
    for (const e of evs) {
      assert.equal(e.contactId, ana);
      assert.deepEqual(e.data, { leadId: lead.id }, 'ids only, never a value');
    }
  });

  it('refuses bad input naming each path: contact, owner, status, value, title', async () => {
    const missing = '01900000-0000-7000-8000-00000000abcd';
    const res = await call('POST', '/api/v1/leads', { contactId: missing, title: 'x', ownerId: missing });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(json(res).error.code, 'validation_failed');
    assert.deepEqual(paths(res), ['/contactId', '/ownerId']);
    for (const title of ['', '   ', '\t\n', 'é'.repeat(201)]) {
      const r = await call('POST', '/api/v1/leads', { contactId: ana, title });
      assert.equal(r.statusCode, 400, `title ${JSON.stringify(title).slice(0, 20)}`);
      assert.equal(json(r).error.code, 'validation_failed');
    }
    // 200 characters, some outside the BMP: counted as characters, accepted.
    const long = `${'😀'.repeat(100)}${'ü'.repeat(100)}`;
    const ok = await call('POST', '/api/v1/leads', { contactId: ana, title: long });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(json(ok).data.title, long);
    assert.equal((await call('POST', '/api/v1/leads', { contactId: ana, title: 'x', status: 'maybe' })).statusCode, 400);
    assert.equal((await call('POST', '/api/v1/leads', { contactId: ana, title: 'x', value: '12' })).statusCode, 400);
    // The service checks what the schema cannot carry (a caller in process).
    await assert.rejects(
      t.services.leads.create({ contactId: ana, title: 'x', value: Number.POSITIVE_INFINITY, status: 'nope' }),
      (e: { code: string; details: { path: string }[] }) =>
        e.code === 'validation_failed' && e.details.map((d) => d.path).join() === '/status,/value',
    );
    const lead = json(ok).data;
    const bad = await call('PATCH', `/api/v1/leads/${lead.id}`, { title: ' ', ownerId: missing });
    assert.deepEqual(paths(bad), ['/ownerId', '/title']);
    assert.equal(json(await call('GET', `/api/v1/leads/${lead.id}`)).data.title, long, 'nothing changed');
  });

  it(
    'custom lead fields: typed columns written and read, bad values ' + 'named, declared in the data map, removed with their column',
    async () => {
      const fields = [
        { name: 'stage_code', type: 'text', personal: false },
        { name: 'budget', type: 'number', personal: false },
        { name: 'signed', type: 'boolean', personal: false },
        { name: 'close_on', type: 'date', personal: false },
        { name: 'champion', type: 'text', personal: true, label: 'Champion' },
      ];
      const ids: Record<string, string> = {};
      for (const f of fields) {
        const r = await call('POST', '/api/v1/lead-fields', f);
        assert.equal(r.statusCode, 201, r.body);
        assert.equal(json(r).data.column, `cf_${f.name}`);
        ids[f.name] = json(r).data.id;
      }
      assert.equal(json(await call('POST', '/api/v1/lead-fields', fields[0])).error.code, 'field_exists');
      await sql`alter table leads add column cf_made_by_hand text`.execute(ctx.db.kysely);
      const taken = await call('POST', '/api/v1/lead-fields', { name: 'made_by_hand', type: 'text', personal: false });
      assert.equal(taken.statusCode, 409);
      assert.equal(json(taken).error.code, 'name_taken');
      await sql`alter table leads drop column cf_made_by_hand`.execute(ctx.db.kysely);
      assert.deepEqual(
        (await t.services.leads.fields()).map((f) => [f.name, f.column, f.type]),
        fields.map((f) => [f.name, `cf_${f.name}`, f.type]).sort(),
        'fields() for the segment language',
      );

      const values = { stage_code: 'Ünïcødé ✓ "quoted"', budget: -0.5, signed: true, close_on: '2026-12-31', champion: null };
      const res = await call('POST', '/api/v1/leads', { contactId: bo, title: 'Fields', fields: values });
      assert.equal(res.statusCode, 201, res.body);
      const lead = json(res).data;
      assert.deepEqual(lead.fields, values);
      const patched = json(await call('PATCH', `/api/v1/leads/${lead.id}`, { fields: { signed: false, champion: 'Dana' } })).data;
      assert.deepEqual(patched.fields, { ...values, signed: false, champion: 'Dana' }, 'a patch merges');

      const bad = await call('PATCH', `/api/v1/leads/${lead.id}`, {
        fields: { budget: 'many', signed: 1, close_on: '2026-02-30', nope: 'x', stage_code: 42 },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(json(bad).error.code, 'validation_failed');
      assert.deepEqual(paths(bad), ['/fields/budget', '/fields/close_on', '/fields/nope', '/fields/signed', '/fields/stage_code']);
      assert.deepEqual(json(await call('GET', `/api/v1/leads/${lead.id}`)).data.fields, patched.fields, 'nothing of it written');

      const map = await t.services.datamap.getMap();
      const cols = map.tables.find((x) => x.name === 'leads')!.columns;
      const champion = cols.find((c) => c.name === 'cf_champion')!;
      assert.deepEqual(
        [champion.category, champion.personal, champion.erase, champion.exported],
        ['lead.field.champion', true, 'delete-' + 'row', true],
      );
      assert.equal(cols.find((c) => c.name === 'cf_budget')!.personal, false);
      assert.deepEqual(await t.services.datamap.validate(), []);
      assert.deepEqual(await t.services.datamap.drift(), { undeclared: [], absent: [] }, 'the schema check sees every column declared');

      assert.equal((await call('DELETE', `/api/v1/lead-fields/${ids.signed}`)).statusCode, 204);
      assert.equal((await call('DELETE', `/api/v1/lead-fields/${ids.signed}`)).statusCode, 404);
      assert.ok(!(await liveColumns(ctx.db)).some((c) => c.table === 'leads' && c.column === 'cf_signed'), 'the column is gone');
      const after = json(await call('GET', `/api/v1/leads/${lead.id}`)).data;
      assert.equal('signed' in after.fields, false);
      assert.deepEqual(await t.services.datamap.drift(), { undeclared: [], absent: [] }, 'and its declaration');
      assert.equal(
        json(await call('PATCH', `/api/v1/leads/` + `${lead.id}`, { fields: { signed: true } })).error.details[0].path,
        '/fields/signed',
      );
      const names = json(await call('GET', '/api/v1/lead-fields', undefined, 'viewer')).data.map((f: { name: string }) => f.name);
      assert.deepEqual(names, ['budget', 'champion', 'close_on', 'stage_code']);
    },
  );

  it(
    'lists by contact, status, owner and words of the title (case ' + 'and accents folded), in pages that neither skip nor repeat',
    async () => {
      const made: { id: string; contactId: string; status: string; ownerId: string | null; title: string }[] = [];
      const titles = [
        'Café Crème deal',
        'CAFE creme renewal',
        'Straße upgrade',
        'STRASSE',
        'Ølbryggeri',
        'olbryggeri 2',
        '日本語の案件',
        '',
      ];
      for (let i = 0; i < 24; i++) {
        const body = {
          contactId: i % 3 === 0 ? bo : ana,
          title: titles[i % titles.length] || `Plain ${i}`,
          status: ['open', 'qualified', 'won', 'lost'][i % 4]!,
          ownerId: i % 2 === 0 ? owner : null,
        };
        const r = await call('POST', '/api/v1/leads', body);
        assert.equal(r.statusCode, 201, r.body);
        made.push({ ...body, id: json(r).data.id });
      }
      const all = async (query: string, limit = 5) => {
        const seen: { id: string; contactId: string; status: string; ownerId: string | null; title: string }[] = [];
        let cursor: string | null = null;
        let total = -1;
        do {
          const r = await call('GET', `/api/v1/leads?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, undefined, 'viewer');
          assert.equal(r.statusCode, 200, r.body);
          const body = json(r);
          seen.push(...body.data);
          total = body.page.total;
          cursor = body.page.next;
        } while (cursor);
        assert.equal(new Set(seen.map((l) => l.id)).size, seen.length, 'no lead twice');
        assert.equal(total, seen.length, 'the total counts what the pages hold');
        return seen;
      };
      const everything = await all('');
      const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();
      const mine = (pred: (l: (typeof made)[number]) => boolean) =>
        ids(everything.filter((l) => made.some((m) => m.id === l.id) && pred(l)));
      assert.deepEqual(ids(everything), [...ids(everything)].sort(), 'id order');
      for (const m of made) assert.ok(everything.some((l) => l.id === m.id));
      assert.deepEqual(ids(await all(`&contactId=${bo}`)), ids(everything.filter((l) => l.contactId === bo)));
      assert.deepEqual(ids(await all('&status=won')), ids(everything.filter((l) => l.status === 'won')));
      assert.deepEqual(
        ids(await all(`&ownerId=${owner}&` + `status=open`)),
        ids(everything.filter((l) => l.ownerId === owner && l.status === 'open')),
      );
      assert.deepEqual(
        ids(await all('&q=cafe%20CRÈME')),
        mine((l) => /caf[eé] cr[eè]me/i.test(l.title)),
      );
      assert.deepEqual(
        ids(await all(`&q=${encodeURIComponent('ølbryggeri')}`)),
        mine((l) => /^[øo]lbryggeri/i.test(l.title)),
      );
      assert.deepEqual(
        ids(await all(`&q=${encodeURIComponent('語の')}`)),
        mine((l) => l.title.includes('語の')),
      );
      assert.deepEqual(ids(await all('&q=%25')), [], 'a LIKE wildcard is a character like any other');
      assert.equal(json(await call('GET', '/api/v1/leads?status=maybe')).error.code, 'validation_failed');

      // The database's search agrees with the same folding in JavaScript, for any title and any words.
      const some = fc.string({ unit: fc.constantFrom('a', 'A', 'é', 'É', 'ß', 'ø', ' ', '_', '%', '語', '😀', 'İ'), maxLength: 8 });
      await fc.assert(
        fc.asyncProperty(some, some, async (title, q) => {
          const contactId = (await t.services.contacts.create({ email: `p${Math.random().toString(36).slice(2)}@example.com` })).id;
          const made = title.trim() ? await t.services.leads.create({ contactId, title }) : null;
          const found = await t.services.leads.list({ contactId, q }, 10);
          const needle = foldText(q.trim());
          const expected = made !== null && foldText(made.title).includes(needle);
          assert.equal(found.length, expected ? 1 : 0, JSON.stringify({ title, q }));
        }),
        { numRuns: 40 },
      );
    },
  );

  it('every role: admin and marketer read and write; privacy officer and viewer read only', async () => {
    const f = json(await call('POST', '/api/v1/lead-fields', { name: 'role_probe', type: 'text', personal: false }, 'admin'));
    for (const role of ['admin', 'marketer', 'privacy_officer', 'viewer'] as const) {
      const writes = role === 'admin' || role === 'marketer';
      assert.equal((await call('GET', '/api/v1/leads?limit=1', undefined, role)).statusCode, 200, `${role} lists`);
      assert.equal((await call('GET', '/api/v1/lead-fields', undefined, role)).statusCode, 200, `${role} lists fields`);
      const created = await call('POST', '/api/v1/leads', { contactId: ana, title: `By ${role}`, fields: { role_probe: role } }, role);
      assert.equal(created.statusCode, writes ? 201 : 403, `${role} creates`);
      const field = await call('POST', '/api/v1/lead-fields', { name: `f_${role}`, type: 'number', personal: false }, role);
      assert.equal(field.statusCode, writes ? 201 : 403, `${role} defines a field`);
      if (!writes) {
        assert.equal(json(created).error.code, 'forbidden');
        const lead = await t.services.leads.create({ contactId: ana, title: 'Someone else' });
        assert.equal((await call('GET', `/api/v1/leads/${lead.id}`, undefined, role)).statusCode, 200, `${role} reads one`);
        assert.equal((await call('PATCH', `/api/v1/leads/${lead.id}`, { title: 'no' }, role)).statusCode, 403);
        assert.equal((await call('DELETE', `/api/v1/leads/${lead.id}`, undefined, role)).statusCode, 403);
        assert.equal((await call('DELETE', `/api/v1/lead-fields/${f.data.id}`, undefined, role)).statusCode, 403);
      }
    }
    const audited = await t.services.audit.list({ action: 'lead.create' }, 50);
    assert.ok(audited.length >= 2, 'writes are audited');
  });

  it('erasing a person deletes their leads with every custom value, and keeps another person’s', async () => {
    await t.services.leadFields.define({ name: 'whisper', type: 'text', personal: true });
    const gone = (await t.services.contacts.create({ email: 'gone@example.com' })).id;
    const stays = (await t.services.contacts.create({ email: 'stays@example.com' })).id;
    const secret = 'Xylophant Quirinus 0151';
    for (const contactId of [gone, gone, stays])
      await t.services.leads.create({ contactId, title: `About ${secret}`, fields: { whisper: secret } });
    const r = await t.services.contacts.delete(gone);
    assert.deepEqual(r.residue, []);
    assert.equal(r.tables.leads, 2);
    assert.deepEqual(await t.services.leads.list({ contactId: gone }, 10), []);
    const kept = await t.services.leads.list({ contactId: stays }, 10);
    assert.deepEqual(
      kept.map((l) => l.fields.whisper),
      [secret],
    );
    const rows = await sql<{ n: number }>`select count(*) as n from leads where cf_whisper = ${secret}`.execute(ctx.db.kysely);
    assert.equal(Number(rows.rows[0]!.n), 1, 'only the other person’s value is left');
  });
});
