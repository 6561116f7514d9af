import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DemoSummary } from '../../src/demo/demo.ts';
import { assent } from '../helpers/cli.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect, freshDatabase, type ScratchDb } from '../helpers/db.ts';

// `assent demo` (issue 13 point 6): a populated workspace made through the services, checked
// here through the API a newcomer's console reads, and refused on a database that holds contacts.

const TABLES = [
  'contacts',
  'consent_ledger',
  'audit_log',
  'lists',
  'list_members',
  'segments',
  'custom_fields',
  'requests',
  'interactions',
  'interaction_stats',
] as const;

forEachDialect('assent demo', (ctx) => {
  let t: TestApp;
  let summary: DemoSummary;
  const get = async <T = any>(url: string): Promise<T> => {
    const res = await t.app.inject({ method: 'GET', url, headers: t.auth('admin') });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return json<T>(res);
  };

  before(async () => {
    const r = await assent(ctx.url, 'demo', '--contacts', '60', '--json');
    assert.equal(r.code, 0, r.stderr);
    summary = JSON.parse(r.stdout) as DemoSummary;
    t = await testApp(ctx.db);
  });
  after(() => t?.close());

  it('makes contacts at every consent level, and children with guardians, some with their consent', async () => {
    const { data } = await get<{ data: { consentLevel: number; isChild: boolean; guardianId: string | null; guardianConsent: boolean }[] }>(
      '/api/v1/contacts?limit=100',
    );
    assert.equal(data.length, 60);
    for (let level = 0; level <= 5; level++)
      assert.ok(
        data.some((c) => c.consentLevel === level),
        `no contact at level ${level}`,
      );
    const children = data.filter((c) => c.isChild);
    assert.ok(children.length >= 3, `${children.length} children`);
    assert.ok(children.every((c) => c.guardianId !== null));
    assert.ok(children.some((c) => c.guardianConsent));
    assert.ok(children.some((c) => !c.guardianConsent));
    assert.deepEqual(
      summary.byLevel.map((l) => l.contacts),
      [0, 1, 2, 3, 4, 5].map((level) => data.filter((c) => c.consentLevel === level).length),
    );
  });

  it('records each level with its notice text in the ledger', async () => {
    const { data } = await get<{ data: { id: string; consentLevel: number }[] }>('/api/v1/contacts?limit=100&consentLevelAtLeast=5');
    const history = await get<{ data: { kind: string; newValue: number; notice: { text: string | null } | null }[] }>(
      `/api/v1/contacts/${data[0]!.id}/consent/history`,
    );
    const level = history.data.find((e) => e.kind === 'level' && e.newValue === 5);
    assert.match(level?.notice?.text ?? '', /tailor what you send me/);
  });

  it('defines custom fields and fills lists with members', async () => {
    const fields = await get<{ data: { name: string }[] }>('/api/v1/contact-fields');
    assert.ok(fields.data.length >= 2);
    const lists = await get<{ data: { name: string; members: number }[] }>('/api/v1/lists');
    assert.ok(lists.data.length >= 3);
    assert.ok(
      lists.data.every((l) => l.members > 0),
      JSON.stringify(lists.data),
    );
  });

  it('gives interactions over the last days, counted in the anonymous daily counters', async () => {
    const stats = await get<{ data: { day: string; type: string; count: number }[] }>('/api/v1/stats/interactions');
    const days = new Set(stats.data.map((r) => r.day));
    assert.ok(days.size >= 10, `${days.size} days`);
    for (const type of ['email_sent', 'email_opened', 'page_visited'])
      assert.ok(
        stats.data.some((r) => r.type === type),
        type,
      );
  });

  it('makes segments, each with members by the API count, one nested and one on behaviour', async () => {
    const { data } = await get<{ data: { id: string; name: string; filter: unknown }[] }>('/api/v1/segments');
    assert.ok(data.length >= 3);
    for (const g of data) {
      const { data: c } = await get<{ data: { count: number } }>(`/api/v1/segments/${g.id}/count`);
      assert.ok(c.count > 0, `${g.name} has no members`);
    }
    const filters = data.map((g) => JSON.stringify(g.filter));
    assert.ok(filters.some((f) => f.includes('"behaviour"')));
    assert.ok(filters.some((f) => /"(and|or)":\[[^\]]*"(and|or|not)"/.test(f)));
  });

  it('opens data requests: one overdue, one due within days, one new, one fulfilled', async () => {
    const all = await get<{ data: { status: string; overdue: boolean; deadline: string }[] }>('/api/v1/requests?limit=50');
    assert.ok(all.data.length >= 4);
    const overdue = await get<{ data: unknown[] }>('/api/v1/requests?overdue=true');
    assert.equal(overdue.data.length, 1);
    const soon = await get<{ data: { overdue: boolean }[] }>('/api/v1/requests?dueWithin=2');
    assert.ok(
      soon.data.some((r) => !r.overdue),
      'none due within two days',
    );
    assert.ok(all.data.some((r) => r.status === 'received'));
    assert.ok(all.data.some((r) => r.status === 'completed'));
  });

  it('leaves a ledger that verifies, and an audit entry for the demo', async () => {
    const v = await assent(ctx.url, 'consent', 'verify', '--json');
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const r = JSON.parse(v.stdout) as { ok: boolean; checked: number; notices: number };
    assert.equal(r.ok, true);
    assert.ok(r.checked > 60);
    assert.ok(r.notices >= 5);
    const audit = await ctx.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'demo.create').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.count, 60);
  });

  it('refuses a database that holds contacts: exit 1, a clear message, nothing written', async () => {
    const counts = async () => {
      const out: Record<string, number> = {};
      for (const table of TABLES) {
        const row = await ctx.db.kysely
          .selectFrom(table)
          .select((e) => e.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow();
        out[table] = Number(row.n);
      }
      return out;
    };
    const before = await counts();
    const r = await assent(ctx.url, 'demo', '--contacts', '5');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already holds contacts \(60\).*nothing was written/);
    assert.equal(r.stdout, '');
    assert.deepEqual(await counts(), before);
  });
});

describe('assent demo: seeds, limits and help', () => {
  const dbs: ScratchDb[] = [];
  after(async () => {
    for (const d of dbs) await d.drop();
  });
  /** The people a demo made, as comparable text (ids and times differ between runs). */
  async function people(seed: string): Promise<{ summary: DemoSummary; rows: string[] }> {
    const d = await freshDatabase('sqlite');
    dbs.push(d);
    const r = await assent(d.url, 'demo', '--contacts', '25', '--seed', seed, '--json');
    assert.equal(r.code, 0, r.stderr);
    const rows = await d.db.kysely
      .selectFrom('contacts')
      .select(['email', 'first_name', 'last_name', 'country', 'consent_level', 'birth_date', 'is_child'])
      .orderBy('email')
      .execute();
    return { summary: JSON.parse(r.stdout) as DemoSummary, rows: rows.map((x) => JSON.stringify(x)) };
  }

  it('makes the same people and data from the same seed, others from another', async () => {
    const a = await people('same');
    const b = await people('same');
    const c = await people('other');
    assert.deepEqual(a.rows, b.rows);
    const stable = (s: DemoSummary) => ({ ...s, seconds: 0 });
    assert.deepEqual(stable(a.summary), stable(b.summary));
    assert.notDeepEqual(a.rows, c.rows);
    // Names from many scripts, addresses only at the reserved example domains.
    assert.ok(a.rows.some((r) => /[^\u0000-\u007f]/.test(r)));
    assert.ok(a.rows.every((r) => /@example\.(com|org)"/.test(r)));
  });

  it('makes a whole workspace from a single contact: the other requesters are people it does not know', async () => {
    const d = await freshDatabase('sqlite');
    dbs.push(d);
    const r = await assent(d.url, 'demo', '--contacts', '1', '--json');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as DemoSummary;
    assert.equal(summary.contacts, 1);
    assert.deepEqual(
      summary.requests.map((x) => x.type),
      ['access', 'erasure', 'portability', 'rectification', 'objection'],
    );
  });

  it('refuses a count out of bounds as a usage error, and documents itself', async () => {
    for (const n of ['0', '200001', 'many']) {
      const r = await assent('sqlite::memory:', 'demo', '--contacts', n);
      assert.equal(r.code, 2, `${n}: ${r.stderr}`);
      assert.match(r.stderr, /--contacts/);
    }
    const help = await assent('sqlite::memory:', 'demo', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /EMPTY database/);
    assert.match(help.stdout, /--seed/);
  });
});
