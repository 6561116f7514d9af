import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { countOrEstimate } from '../../src/db/estimate.ts';
import { up as canonicalCodes } from '../../src/modules/contacts/migrations/0019_contacts_canonical_codes.ts';
import { newId } from '../../src/lib/ids.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

type Role = 'admin' | 'marketer' | 'viewer' | 'privacy_officer';
type Page = { data: { id: string; lastName?: string | null }[]; page: { next: string | null; total: number; totalIsEstimate: boolean } };

forEachDialect('contact search, sort and list totals', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, role: Role = 'marketer') =>
    t.app.inject({ method, url, headers: t.auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const create = async (body: Record<string, unknown>): Promise<string> => {
    const r = await call('POST', '/api/v1/contacts', body);
    assert.equal(r.statusCode, 201, r.body);
    return json(r).data.id;
  };
  /** Every page of a listing, checking that each page states the same total. */
  const walk = async (url: string, role: Role = 'marketer', limit = 2, growing = false): Promise<{ rows: Page['data']; total: number }> => {
    const rows: Page['data'] = [];
    let cursor: string | null = null;
    let total: number | undefined;
    do {
      const sep = url.includes('?') ? '&' : '?';
      const r = await call('GET', `${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, undefined, role);
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
      const p: Page = json(r);
      assert.equal(p.page.totalIsEstimate, false, url);
      if (total !== undefined && !growing) assert.equal(p.page.total, total, `${url}: the total is the same on every page`);
      total = p.page.total;
      rows.push(...p.data);
      cursor = p.page.next;
    } while (cursor);
    return { rows, total: total! };
  };

  const ids: Record<string, string> = {};
  it('q finds words in address, names and company, without regard to case or Latin accents', async () => {
    ids.zoe = await create({ email: 'zoe.u@example.com', firstName: 'Zoë', lastName: 'Ünal', company: 'Acme' });
    ids.ZOE = await create({ email: 'Z.OE@Example.com', firstName: 'ZOE' });
    ids.lukasz = await create({ email: 'l@example.com', firstName: 'Łukasz', lastName: 'Wałęsa', company: 'Café Noir' });
    ids.soren = await create({ email: 's@example.com', firstName: 'Søren', lastName: 'Kierkegaard', company: 'ACME Søn' });
    ids.jose = await create({ email: 'jose@example.com', lastName: 'Ibáñez' });
    ids.decomposed = await create({ email: 'd@example.com', firstName: 'Jose\u0301' });
    ids.pct = await create({ email: 'pct@example.com', company: '100% _real_' });
    ids.tokyo = await create({ email: 'tokyo@example.com', company: '東京😀' });
    const search = async (q: string) => (await walk(`/api/v1/contacts?q=${encodeURIComponent(q)}`)).rows.map((r) => r.id).sort();
    const want = (...names: string[]) => names.map((n) => ids[n]!).sort();
    assert.deepEqual(await search('zoe'), want('zoe', 'ZOE'), 'Zoë without its accent, ZOE in upper case');
    assert.deepEqual(await search('z.oe'), want('ZOE'), 'the address as written');
    assert.deepEqual(await search('ZOË'), want('zoe', 'ZOE'), 'both spellings, both cases');
    assert.deepEqual(await search('UNAL'), want('zoe'));
    assert.deepEqual(await search('lukasz walesa'), want('lukasz'), 'every word, each in some column');
    assert.deepEqual(await search('cafe'), want('lukasz'));
    assert.deepEqual(await search('acme'), want('zoe', 'soren'));
    assert.deepEqual(await search('acme soren'), want('soren'));
    assert.deepEqual(await search('JOSÉ'), want('jose', 'decomposed'), 'precomposed, decomposed and in the address');
    assert.deepEqual(await search('ibanez'), want('jose'));
    assert.deepEqual(await search('%'), want('pct'), 'no wildcard: % is a character');
    assert.deepEqual(await search('_real_'), want('pct'));
    assert.deepEqual(await search('😀'), want('tokyo'));
    assert.deepEqual(await search('東京'), want('tokyo'));
    assert.deepEqual(await search('nobody-here'), []);
    assert.deepEqual(await search('  zoë   '), want('zoe', 'ZOE'), 'spaces around are no words');
    for (const bad of ['', 'x'.repeat(201)])
      assert.equal((await call('GET', `/api/v1/contacts?q=${encodeURIComponent(bad)}`)).statusCode, 400, `q=${bad.slice(0, 5)}`);
    // Filters combine with the search, and the total follows both.
    const acmeDe = await walk('/api/v1/contacts?q=acme&consentLevelAtLeast=0');
    assert.equal(acmeDe.total, 2);
  });

  it('sort pages through equal values and missing ones without skipping or repeating, both ways', async () => {
    const names = ['b', 'B', 'a', null, 'Ä', 'b', 'c', null, 'ab', 'A'];
    for (const [i, n] of names.entries()) await create({ email: `sort${i}@example.com`, lastName: n, company: 'SortCo' });
    const all = (await walk('/api/v1/contacts?q=sortco', 'viewer', 100)).rows;
    assert.equal(all.length, names.length);
    const key = (r: Page['data'][number]) => (r.lastName ?? '').toLowerCase();
    const byKey = (a: Page['data'][number], b: Page['data'][number]) =>
      Buffer.compare(Buffer.from(key(a)), Buffer.from(key(b))) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const asc = [...all].sort(byKey).map((r) => r.id);
    for (const limit of [1, 2, 3]) {
      const up = await walk('/api/v1/contacts?q=sortco&sort=lastName', 'viewer', limit);
      assert.deepEqual(
        up.rows.map((r) => r.id),
        asc,
        `ascending, pages of ${limit}`,
      );
      assert.equal(up.total, names.length);
      const down = await walk('/api/v1/contacts?q=sortco&sort=-lastName', 'viewer', limit);
      assert.deepEqual(
        down.rows.map((r) => r.id),
        [...asc].reverse(),
        `descending, pages of ${limit}`,
      );
    }
    // Numbers and times sort too.
    const byCreated = (await walk('/api/v1/contacts?q=sortco&sort=-createdAt', 'viewer', 3)).rows.map((r) => r.id);
    assert.equal(byCreated.length, names.length);
    assert.equal((await walk('/api/v1/contacts?sort=consentLevel', 'viewer', 4)).rows.length, (await walk('/api/v1/contacts')).rows.length);
    // A cursor belongs to its sort.
    const first: Page = json(await call('GET', '/api/v1/contacts?q=sortco&sort=lastName&limit=2'));
    const other = await call('GET', `/api/v1/contacts?q=sortco&sort=-lastName&limit=2&cursor=${first.page.next}`);
    assert.equal(json(other).error.code, 'invalid_cursor');
    const unsorted = await call('GET', `/api/v1/contacts?limit=2&cursor=${first.page.next}`);
    assert.equal(json(unsorted).error.code, 'invalid_cursor');
    for (const garbage of [
      'x',
      Buffer.from('v2:["lastName",{"a":1},"x"]').toString('base64url'),
      Buffer.from('v2:[').toString('base64url'),
    ])
      assert.equal(json(await call('GET', `/api/v1/contacts?sort=lastName&cursor=${garbage}`)).error.code, 'invalid_cursor');
    const badSort = await call('GET', '/api/v1/contacts?sort=password');
    assert.equal(badSort.statusCode, 400);
  });

  it('country and language codes in any case are stored canonical, and filter in any case', async () => {
    const id = await create({ email: 'codes@example.com', country: 'de', language: 'PT-br' });
    let c = json(await call('GET', `/api/v1/contacts/${id}`)).data;
    assert.deepEqual([c.country, c.language], ['DE', 'pt-BR']);
    await call('PATCH', `/api/v1/contacts/${id}`, { country: 'fR', language: 'ZH-hant-tw' });
    c = json(await call('GET', `/api/v1/contacts/${id}`)).data;
    assert.deepEqual([c.country, c.language], ['FR', 'zh-Hant-TW']);
    for (const q of ['country=fr', 'country=FR', 'language=zh-hant-TW', 'language=ZH-HANT-TW'])
      assert.deepEqual(
        (await walk(`/api/v1/contacts?${q}`)).rows.map((r) => r.id),
        [id],
        q,
      );
    const bad = await call('POST', '/api/v1/contacts', { email: 'codes2@example.com', country: 'd1' });
    assert.equal(bad.statusCode, 400);
  });

  it('the migration canonicalises stored codes', async () => {
    const k = ctx.db.kysely;
    const raw = newId();
    const now = new Date().toISOString();
    await k
      .insertInto('contacts')
      .values({ id: raw, email: 'stored@example.com', country: 'at', language: 'de-at', created_at: now, updated_at: now } as never)
      .execute();
    await canonicalCodes(k);
    const row = await k.selectFrom('contacts').select(['country', 'language']).where('id', '=', raw).executeTakeFirstOrThrow();
    assert.deepEqual(row, { country: 'AT', language: 'de-AT' });
  });

  it('every list route states its total, the same on every page, equal to the rows its pages hold', async () => {
    const list = json(await call('POST', '/api/v1/lists', { name: 'Totals' })).data;
    await call('POST', `/api/v1/contacts/${ids.zoe}/lists`, { listId: list.id });
    const seg = json(
      await call('POST', '/api/v1/segments', {
        name: 'acme',
        kind: 'dynamic',
        filter: { field: 'company', op: 'icontains', value: 'acme' },
      }),
    );
    assert.ok(seg.data, JSON.stringify(seg));
    await call('POST', '/api/v1/interactions', { events: [{ contactId: ids.zoe, type: 'page_visited', url: 'https://x.example/a' }] });
    const routes: [string, Role][] = [
      ['/api/v1/contacts', 'marketer'],
      ['/api/v1/contacts?country=FR', 'marketer'],
      ['/api/v1/contacts/duplicates', 'marketer'],
      ['/api/v1/lists', 'marketer'],
      ['/api/v1/segments', 'marketer'],
      [`/api/v1/segments/${seg.data.id}/members`, 'marketer'],
      [`/api/v1/interactions?contact=${ids.zoe}`, 'marketer'],
      ['/api/v1/users', 'admin'],
      ['/api/v1/keys', 'admin'],
      ['/api/v1/audit', 'admin'],
      ['/api/v1/audit?action=contact.create', 'admin'],
      ['/api/v1/requests', 'privacy_officer'],
      ['/api/v1/tasks', 'privacy_officer'],
      ['/api/v1/erasures', 'privacy_officer'],
      ['/api/v1/outbox', 'admin'],
    ];
    for (const [url, role] of routes) {
      // Each read of the whole audit log adds an entry to it (newest first, so not to the pages still to come).
      const growing = url === '/api/v1/audit';
      const { rows, total } = await walk(url, role, 3, growing);
      if (growing) assert.ok(total >= rows.length && total <= rows.length + 1 + rows.length / 3, url);
      else assert.equal(total, rows.length, url);
    }
    assert.equal((await walk(`/api/v1/segments/${seg.data.id}/members`)).total, 2);
  });
});

forEachDialect('list totals: the estimate', (ctx) => {
  it('an unfiltered listing of a large table is estimated on PostgreSQL, counted otherwise', async () => {
    const k = ctx.db.kysely;
    await sql`create table estimate_probe (id integer primary key)`.execute(k);
    await sql`insert into estimate_probe (id) select n from (with recursive s(n) as (select 1 union all select n + 1 from s where n < 500)
      select n from s) x`.execute(k);
    await sql`analyze estimate_probe`.execute(k);
    let exactAsked = 0;
    const exact = async () => {
      exactAsked++;
      return 500;
    };
    const unfiltered = await countOrEstimate(k, 'estimate_probe', false, exact, 100);
    const filtered = await countOrEstimate(k, 'estimate_probe', true, exact, 100);
    const small = await countOrEstimate(k, 'estimate_probe', false, exact, 1000);
    if (ctx.dialect === 'postgres') {
      assert.deepEqual(unfiltered, { total: 500, isEstimate: true });
      assert.equal(exactAsked, 2, 'not counted when estimated');
    } else {
      assert.deepEqual(unfiltered, { total: 500, isEstimate: false });
      assert.equal(exactAsked, 3);
    }
    assert.deepEqual(filtered, { total: 500, isEstimate: false });
    assert.deepEqual(small, { total: 500, isEstimate: false });
  });
});
