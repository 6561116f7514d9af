import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { forEachDialect } from '../../../../test/helpers/db.ts';
import { loadConfig } from '../../../config.ts';
import type { Db } from '../../database.ts';
import { liveColumns } from '../../../db/introspect.ts';
import { FakeClock } from '../../../lib/clock.ts';
import { newId } from '../../../lib/ids.ts';
import { createLogger } from '../../../lib/log.ts';
import { createServices, type Services } from '../../../services.ts';
import type { DataMap } from '../../datamap/datamap.model.ts';
import { renderExportHtml } from './access-export.html.ts';
import { jsonValue } from './access-export.model.ts';
import { transportOf } from '../../../../test/helpers/mail.ts';

type MapTable = DataMap['tables'][number];
const system = { type: 'system', id: null };
const MESSAGE = '01900000-0000-7000-8000-0000000000aa';

/** Nullable columns per table, from the database's catalogue: a generic row must fill the rest. */
async function nullable(db: Db, table: string): Promise<Set<string>> {
  if (db.dialect === 'sqlite') {
    const r = await sql<{ name: string; notnull: number; pk: number }>`select name, "notnull", pk from pragma_table_info(${table})`.execute(
      db.kysely,
    );
    return new Set(r.rows.filter((c) => c.notnull === 0 && c.pk === 0).map((c) => c.name));
  }
  const r = await sql<{
    column_name: string;
  }>`select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${table} and
    is_nullable = 'YES'`.execute(db.kysely);
  return new Set(r.rows.map((c) => c.column_name));
}

const keyFor = (t: MapTable, c: { id: string; email: string }) => (t.subjectLink!.kind === 'email' ? c.email : c.id);

async function rowsFor(db: Db, t: MapTable, key: string): Promise<Record<string, unknown>[]> {
  const order = t.columns.some((c) => c.name === 'id') ? 'id' : (t.columns.find((c) => c.exported) ?? t.columns[0]!).name;
  return (
    await sql<
      Record<string, unknown>
    >`select * from ${sql.table(t.name)} where ${sql.ref(t.subjectLink!.column)} = ${key} order by ${sql.ref(order)}`.execute(db.kysely)
  ).rows;
}

/**
 * A row for the person in a table no service here knows: every column filled from its live
 * type. Nullable columns are left empty when filling them breaks a constraint (a foreign key
 * to a table this test knows nothing about).
 */
async function insertGeneric(db: Db, t: MapTable, key: string): Promise<void> {
  const live = (await liveColumns(db)).filter((c) => c.table === t.name);
  const optional = await nullable(db, t.name);
  const value = (col: string, type: string): unknown => {
    if (col === t.subjectLink!.column) return key;
    if (/int/.test(type)) return 1;
    if (/real|double|numeric|float/.test(type)) return 1.5;
    return `${t.name}.${col}.${newId()}`;
  };
  const full = Object.fromEntries(live.map((c) => [c.column, value(c.column, c.type)]));
  const insert = (row: Record<string, unknown>) => (db.kysely as any).insertInto(t.name).values(row).execute();
  try {
    await insert(full);
  } catch {
    await insert(Object.fromEntries(Object.entries(full).filter(([k]) => k === t.subjectLink!.column || !optional.has(k))));
  }
}

/** Calls `tick` for each statement sent to the database; returns the undo. */
function countStatements(db: Db, tick: () => void): () => void {
  if (db.sqlite) {
    // Every run of every statement, prepared now or kept from before (the driver keeps them).
    const proto = Object.getPrototypeOf(db.sqlite.prepare('select 1')) as Record<
      'run' | 'all' | 'get' | 'iterate',
      (...a: unknown[]) => unknown
    >;
    const methods = ['run', 'all', 'get', 'iterate'] as const;
    const saved = methods.map((m) => proto[m]);
    methods.forEach((m, i) => {
      proto[m] = function (this: unknown, ...a: unknown[]) {
        tick();
        return saved[i]!.apply(this, a);
      };
    });
    return () => {
      methods.forEach((m, i) => {
        proto[m] = saved[i]!;
      });
    };
  }
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    tick();
    return query.apply(this, a);
  };
  return () => {
    proto.query = query;
  };
}

forEachDialect('access export', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });

  /** Data about a person in every place a service writes it. */
  async function populate(c: { id: string; email: string }, listId: string): Promise<void> {
    await s.consent.setLevel(c.id, 5, {
      source: 'form',
      actor: system,
      notice: `Yes to offers and tracking (${c.id})`,
      evidence: { ip: '203.0.113.7', userAgent: 'Test/1.0' },
    });
    await s.lists.join(c.id, listId, { source: 'api', actor: system, notice: `Join the newsletter (${c.id})` });
    await s.interactions.ingest([
      { type: 'email_sent', contactId: c.id, messageId: MESSAGE },
      { type: 'email_clicked', contactId: c.id, messageId: MESSAGE, url: 'https://shop.example.com/a?utm_source=mail' },
      { type: 'custom', name: 'cart.checkout', contactId: c.id, properties: { total: 42, items: ['a', 'b'] } },
    ]);
    await transportOf(s).send({ to: c.email, subject: 'Hello', text: 'Hi there', contactId: c.id, headers: { 'X-Campaign': 'spring' } });
    await s.entities.createRecord('orders', {
      contactId: c.id,
      fields: { reference: `R-${c.id.slice(-4)}`, total: 99.5, gift: true, note: 'leave at door', placed: '2026-03-01' },
    });
    // A message sent to the person (a send row names a message, which no generic row could).
    const message = await s.messages.create({ name: `Receipt ${c.id}`, purpose: 'transactional', subject: 'Hi', html: '<p>Hi</p>' });
    await s.sends.sendToContact(message.id, c.id);
    // A form the person submitted, and another submission's changes waiting for their double opt-in
    // (rows name a form, which no generic row could).
    const form = await s.forms.create({
      name: `Sign-up ${c.id}`,
      fields: [{ name: 'email', label: 'Email', maps: 'email', required: true }],
    });
    const at = new Date().toISOString();
    const sub = (contactId: string | null) => ({
      id: newId(),
      form_id: form.id,
      version: 1,
      contact_id: contactId,
      created_at: at,
      ip_prefix: '192.0.2.0',
      user_agent: 'Mozilla/5.0',
      confirmed_at: null,
    });
    const waiting = sub(null);
    await s.db.kysely
      .insertInto('form_submissions')
      .values([sub(c.id), waiting])
      .execute();
    await s.db.kysely
      .insertInto('form_confirmations')
      .values({ id: newId(), submission_id: waiting.id, token_hash: null, email: c.email, changes: '{}', created_at: at, expires_at: at })
      .execute();
    // The person as someone's friend: a forward to their address (the row names its sender, which no generic row could).
    await s.db.kysely
      .insertInto('forward_recipients')
      .values({ forward_id: newId(), contact_id: c.id, email: c.email, created_at: at })
      .execute();
    // A journey the person is in, with the task it made for staff (rows name a journey, which no generic row could).
    const journey = await s.journeys.create({
      name: `Welcome ${c.id}`,
      requiredConsent: 3,
      tiles: [
        { id: 'in', type: 'start', trigger: { manual: true }, next: 'call' },
        { id: 'call', type: 'task', title: 'Call to welcome', role: 'marketer', next: 'pause' },
        { id: 'pause', type: 'wait', duration: 'P1D', next: 'out' },
        { id: 'out', type: 'end' },
      ],
    } as never);
    await s.journeys.update(journey.id, { state: 'live' });
    assert.equal((await s.journeys.admit(journey.id, [c.id])).entered, 1);
    await s.journeyEngine.run(journey.id);
    // A sales lead about the person, with its custom fields (columns of the lead's row).
    const lead = await s.leads.create({
      contactId: c.id,
      title: `Deal ${c.id}`,
      value: 250,
      fields: { budget: 99.5, champion: `Champion of ${c.id}` },
    });
    // Its score under a model (rows name a model and a lead, which no generic row could; written directly).
    const modelId = newId();
    await s.db.kysely
      .insertInto('scoring_models')
      .values({
        id: modelId,
        name: `Fit ${modelId}`,
        required_level: null,
        required_purpose: null,
        rules: '[]',
        grades: '{"A":30,"B":20,"C":10,"D":0}',
        sales_ready: 30,
        version: 1,
        created_at: at,
        updated_at: at,
        recompute_job_id: null,
        recompute_total: null,
        recompute_done: null,
        recompute_started_at: null,
        recompute_finished_at: null,
      })
      .execute();
    await s.db.kysely
      .insertInto('lead_scores')
      .values({
        model_id: modelId,
        lead_id: lead.id,
        contact_id: c.id,
        score: 12,
        grade: 'C',
        sales_ready: 0,
        reason: 'allowed',
        model_version: 1,
        computed_at: at,
        ready_at: null,
      })
      .execute();
  }

  it('holds every exported column of every table linked to a person, with its category and value, and nothing of anyone else', async () => {
    await s.customFields.define({ name: 'nickname', type: 'text', personal: true });
    await s.entities.define({
      name: 'orders',
      linked: true,
      erase: 'anonymise',
      fields: [
        { name: 'reference', type: 'text', personal: false },
        { name: 'total', type: 'number', personal: false },
        { name: 'gift', type: 'boolean', personal: false },
        { name: 'note', type: 'text', personal: true },
        { name: 'placed', type: 'date', personal: false },
      ],
    });
    await s.leadFields.define({ name: 'budget', type: 'number', personal: false });
    await s.leadFields.define({ name: 'champion', type: 'text', personal: true });
    const list = await s.lists.create({ name: 'Newsletter' });
    const person = await s.contacts.create({
      email: 'ana@example.com',
      firstName: 'Ana',
      country: 'PT',
      customFields: { nickname: 'Nan' },
    });
    const other = await s.contacts.create({ email: 'bob@example.com', firstName: 'Bob', customFields: { nickname: 'Bobby' } });
    await populate(person, list.id);
    await populate(other, list.id);
    const segment = await s.segments.create({ name: 'Profiled', kind: 'static', filter: { consent: { atLeast: 5 } } });
    const dynamic = await s.segments.create({ name: 'Portuguese', kind: 'dynamic', filter: { field: 'country', op: '=', value: 'PT' } });

    // Every other table the map links to a person gets a row, so a table added later is covered without editing this test.
    const map = await s.datamap.getMap();
    const linked = map.tables.filter((t) => t.subjectLink);
    assert.ok(linked.length >= 10, 'the map links many tables to people');
    for (const t of linked) {
      for (const c of [person, other])
        if ((await rowsFor(ctx.db, t, keyFor(t, c))).length === 0) await insertGeneric(ctx.db, t, keyFor(t, c));
    }

    const x = await s.accessExports.build(person.id);
    assert.equal(x.schema, 'assent.access-export');
    assert.equal(x.version, 1);
    assert.deepEqual(x.subject, { contactId: person.id, email: 'ana@example.com', contactIds: [person.id] });
    assert.equal(x.dataHeld, true);

    const expected = linked.filter((t) => t.columns.some((c) => c.exported));
    assert.deepEqual(Object.keys(x.tables).sort(), expected.map((t) => t.name).sort(), 'exactly the linked tables with exported columns');
    assert.equal(Object.keys(x.tables)[0], 'contacts', 'the person’s own record comes first');
    for (const t of expected) {
      const stored = await rowsFor(ctx.db, t, keyFor(t, person));
      const got = x.tables[t.name]!;
      assert.ok(stored.length > 0, `${t.name} holds a row for the person`);
      assert.equal(got.rows.length, stored.length, `${t.name}: every row of the person`);
      assert.equal(got.description, t.description);
      const exported = t.columns.filter((c) => c.exported);
      assert.deepEqual(Object.keys(got.columns).sort(), exported.map((c) => c.name).sort(), `${t.name}: exported columns only`);
      for (const c of exported)
        assert.deepEqual(
          [got.columns[c.name]!.category, got.columns[c.name]!.personal],
          [c.category, c.personal],
          `${t.name}.${c.name} category`,
        );
      got.rows.forEach((row, i) => {
        assert.deepEqual(Object.keys(row).sort(), exported.map((c) => c.name).sort(), `${t.name}: every exported column in each row`);
        for (const c of exported) assert.deepEqual(row[c.name], jsonValue(stored[i]![c.name]), `${t.name}.${c.name} value`);
      });
    }

    // Values a reader cares about, as they should read.
    const profile = x.tables.contacts!.rows[0]!;
    assert.equal(profile.first_name, 'Ana');
    assert.equal(profile.cf_nickname, 'Nan');
    assert.deepEqual(x.tables.contacts!.columns.cf_nickname, {
      category: 'contact.custom.nickname',
      personal: true,
      description: 'nickname',
    });
    const custom = x.tables.interactions!.rows.find((r) => r.type === 'custom')!;
    assert.deepEqual(custom.properties, { total: 42, items: ['a', 'b'] }, 'JSON text is given parsed');
    assert.equal(x.tables.interactions!.rows.length, 3);
    assert.equal(x.tables.entity_orders!.rows[0]!.f_note, 'leave at door');
    assert.equal(x.tables.entity_orders!.columns.f_note!.category, 'entity.orders.note');
    assert.equal(x.tables.outbox!.rows[0]!.subject, 'Hello');
    const lead = x.tables.leads!.rows.find((r) => r.title === `Deal ${person.id}`)!;
    assert.deepEqual([lead.cf_budget, lead.cf_champion, lead.value], [99.5, `Champion of ${person.id}`, 250]);
    assert.deepEqual(x.tables.leads!.columns.cf_champion!.category, 'lead.field.champion');
    assert.ok(!JSON.stringify(x.tables.leads).includes(other.id), 'nobody else’s leads');
    assert.equal(x.tables.exports, undefined, 'stored exports are not exported again');

    // The ledger with the notices shown, list memberships, and segments evaluated now.
    assert.deepEqual(
      x.consentHistory.map((e) => e.kind),
      ['level', 'list_join'],
    );
    assert.equal(x.consentHistory[0]!.notice?.text, `Yes to offers and tracking (${person.id})`);
    assert.equal(x.consentHistory[1]!.notice?.text, `Join the newsletter (${person.id})`);
    assert.deepEqual(x.consentHistory[0]!.evidence, { ip: '203.0.113.0', userAgent: 'Test/1.0' });
    assert.deepEqual(
      x.lists.map((l) => l.name),
      ['Newsletter'],
    );
    assert.deepEqual(x.segments.map((g) => g.id).sort(), [segment.id, dynamic.id].sort());

    const text = JSON.stringify(x);
    for (const leak of [other.id, other.email, 'Bobby', `(${other.id})`])
      assert.ok(!text.includes(leak), `nothing of the other contact: ${leak}`);
    const page = renderExportHtml(x);
    for (const leak of [other.id, other.email, 'Bobby']) assert.ok(!page.includes(leak));
  });

  it('by address: the contact’s export when one holds it; otherwise email-linked data, or a clear nothing', async () => {
    const byEmail = await s.accessExports.buildForEmail('  ana@EXAMPLE.com ');
    assert.equal(byEmail.subject.email, 'ana@example.com');
    assert.ok(byEmail.subject.contactId);

    await transportOf(s).send({ to: 'stranger@example.com', subject: 'Confirm your request', text: 'Click the link' });
    const stranger = await s.accessExports.buildForEmail('stranger@example.com');
    assert.deepEqual(stranger.subject, { contactId: null, email: 'stranger@example.com', contactIds: [] });
    assert.equal(stranger.dataHeld, true);
    const map = await s.datamap.getMap();
    const emailTables = map.tables.filter((t) => t.subjectLink?.kind === 'email' && t.columns.some((c) => c.exported)).map((t) => t.name);
    assert.deepEqual(Object.keys(stranger.tables).sort(), emailTables.sort(), 'only tables an address reaches');
    assert.equal(stranger.tables.outbox!.rows.length, 1);
    assert.deepEqual([stranger.consentHistory, stranger.lists, stranger.segments], [[], [], []]);

    const nobody = await s.accessExports.buildForEmail('nobody@example.com');
    assert.equal(nobody.dataHeld, false);
    assert.ok(Object.values(nobody.tables).every((t) => t.rows.length === 0));
    assert.match(renderExportHtml(nobody), /We hold no personal data about you/);
  });

  it('reads each table once: the query count does not grow with the rows', async () => {
    const c = await s.contacts.create({ email: 'busy@example.com' });
    await s.consent.setLevel(c.id, 5, { source: 'api', actor: system });
    // Counted at the driver, beneath Kysely: every statement either database is sent.
    const count = async () => {
      let n = 0;
      const restore = countStatements(ctx.db, () => n++);
      try {
        await s.accessExports.build(c.id);
      } finally {
        restore();
      }
      return n;
    };
    await s.interactions.ingest([{ type: 'email_sent', contactId: c.id, messageId: MESSAGE }]);
    const few = await count();
    assert.ok(few > 5, `statements were counted (${few})`);
    await s.interactions.ingest(Array.from({ length: 200 }, () => ({ type: 'email_sent' as const, contactId: c.id, messageId: MESSAGE })));
    assert.equal(await count(), few);
  });

  it('escapes hostile values everywhere in the HTML view', async () => {
    const c = await s.contacts.create({
      email: 'mallory@example.com',
      firstName: '<script>alert("x")</script>',
      lastName: `O'Brien "<img src=x onerror=alert(1)>"`,
    });
    await s.consent.setLevel(c.id, 3, { source: 'form', actor: system, notice: '</blockquote><script>steal()</script>' });
    const page = renderExportHtml(await s.accessExports.build(c.id), { jsonHref: '?token=a"b<c&format=json' });
    assert.doesNotMatch(page, /<script|<img|href="\?token=a"/i);
    assert.ok(page.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(page.includes('O&#39;Brien &quot;&lt;img src=x onerror=alert(1)&gt;&quot;'));
    assert.ok(page.includes('&lt;/blockquote&gt;&lt;script&gt;steal()&lt;/script&gt;'));
  });
});
