import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';

type Row = { id: string; firstName: string | null; lastName: string | null; consentLevel: number; lists: string[] };
type Page = { data: Row[]; page: { next: string | null; total: number } };

// What the console's contact table asks of GET /api/v1/contacts: an exact level, the name as
// shown for sorting, and each row's lists.
forEachDialect('GET /api/v1/contacts for the console: level filter, name sort, lists', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
    const r = await t.app.inject({ method, url, headers: t.auth('admin'), ...(payload ? { payload } : {}) });
    assert.ok(r.statusCode < 300, `${method} ${url}: ${r.body}`);
    return r.body ? json(r) : undefined;
  };
  const walk = async (url: string, limit: number): Promise<Page> => {
    const rows: Row[] = [];
    let cursor: string | null = null;
    let total = -1;
    do {
      const p: Page = await call('GET', `${url}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      rows.push(...p.data);
      total = p.page.total;
      cursor = p.page.next;
    } while (cursor);
    return { data: rows, page: { next: null, total } };
  };

  const ids: Record<string, string> = {};
  it('filters by the exact stored level, sorts by first and last name, and gives each row its lists', async () => {
    const people: [string, string | null, string | null, number][] = [
      ['ada', 'Ada', 'Zed', 4],
      ['bob', 'bob', 'Young', 4],
      ['nameless', null, null, 4],
      ['last', null, 'Abel', 2],
      ['ada2', 'Ada', 'Abel', 4],
    ];
    for (const [key, firstName, lastName, level] of people) {
      const c = await call('POST', '/api/v1/contacts', { email: `${key}@listing.example`, firstName, lastName, company: 'ListingCo' });
      ids[key] = c.data.id;
      await call('PUT', `/api/v1/contacts/${c.data.id}/consent`, { level, source: 'admin', notice: 'test' });
    }
    const news = (await call('POST', '/api/v1/lists', { name: 'News' })).data.id;
    const offers = (await call('POST', '/api/v1/lists', { name: 'Offers' })).data.id;
    for (const l of [news, offers]) await call('PUT', `/api/v1/contacts/${ids.ada}/lists/${l}`, {});
    await call('PUT', `/api/v1/contacts/${ids.last}/lists/${offers}`, {});

    const at4 = await walk('/api/v1/contacts?q=listingco&consentLevel=4', 2);
    assert.equal(at4.page.total, 4);
    assert.deepEqual(at4.data.map((r) => r.id).sort(), [ids.ada, ids.bob, ids.nameless, ids.ada2].sort());
    assert.equal((await walk('/api/v1/contacts?q=listingco&consentLevel=3', 2)).page.total, 0, 'exactly, not at least');

    const expected = ['nameless', 'last', 'ada2', 'ada', 'bob'].map((k) => ids[k]);
    for (const limit of [1, 2, 5]) {
      const up = await walk('/api/v1/contacts?q=listingco&sort=name', limit);
      assert.deepEqual(
        up.data.map((r) => r.id),
        expected,
        `name as shown, "first last", in lower case (limit ${limit})`,
      );
      const down = await walk('/api/v1/contacts?q=listingco&sort=-name', limit);
      assert.deepEqual(
        down.data.map((r) => r.id),
        [...expected].reverse(),
      );
    }

    const all = await walk('/api/v1/contacts?q=listingco', 50);
    const listsOf = Object.fromEntries(all.data.map((r) => [r.id, r.lists]));
    assert.deepEqual(listsOf[ids.ada!], [news, offers].sort());
    assert.deepEqual(listsOf[ids.last!], [offers]);
    assert.deepEqual(listsOf[ids.bob!], []);
    const sorted = await walk('/api/v1/contacts?q=listingco&sort=-createdAt', 2);
    assert.deepEqual(sorted.data.find((r) => r.id === ids.ada)?.lists, [news, offers].sort(), 'sorted pages carry them too');
  });

  it('refuses a level outside the scale', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/contacts?consentLevel=9', headers: t.auth('viewer') });
    assert.equal(r.statusCode, 400);
    assert.equal(json(r).error.code, 'validation_failed');
  });
});
