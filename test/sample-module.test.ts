import assert from 'node:assert/strict';
import { before, after, it } from 'node:test';
import { liveColumns } from '../src/db/introspect.ts';
import { Worker } from '../src/jobs/worker.ts';
import { MODULES } from '../src/modules/index.ts';
import { composeServices, jobHandlers, migrate, type ServicesOf } from '../src/services.ts';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/log.ts';
import { renderExportHtml } from '../src/modules/dsr/access-export/access-export.html.ts';
import { SAMPLE_QUEUE, sample } from './fixtures/sample-module/module.ts';
import { accessSuite } from './helpers/access-suite.ts';
import { loadSamples, missingSamples } from './helpers/access-samples.ts';
import { json, testApp, type TestApp } from './helpers/app.ts';
import { forEachDialect } from './helpers/db.ts';

// A module added through the same list type as the product's own: its table, data-map entry,
// route (under access control) and job all appear, and no shared file was edited for it.
const LIST = [...MODULES, sample] as const;
const notes = (t: TestApp) => (t.services as ServicesOf<typeof LIST>).sampleNotes;

forEachDialect('a module added to the list', (ctx) => {
  let t: TestApp;
  before(async () => {
    await migrate(ctx.db, LIST);
    t = await testApp(ctx.db, { modules: LIST });
  });
  after(async () => {
    await t.close();
  });

  it('has its table, made by its own migration', async () => {
    const cols = (await liveColumns(ctx.db))
      .filter((c) => c.table === 'sample_notes')
      .map((c) => c.column)
      .sort();
    assert.deepEqual(cols, ['body', 'contact_id', 'created_at', 'id']);
  });

  it('is declared in the data map, which still covers the live schema', async () => {
    assert.deepEqual(await t.services.datamap.drift(), { undeclared: [], absent: [] });
    assert.deepEqual(await t.services.datamap.validate(), []);
    const map = await t.services.datamap.getMap();
    assert.equal(map.tables.find((x) => x.name === 'sample_notes')?.subjectLink?.column, 'contact_id');
  });

  it('serves its routes through the app, under access control and audit', async () => {
    const c = await t.services.contacts.create({ email: `sample${Date.now()}@example.com` });
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/sample-notes' })).statusCode, 401);
    const denied = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sample-notes',
      headers: t.auth('viewer'),
      payload: { contactId: c.id, body: 'hello' },
    });
    assert.equal(denied.statusCode, 403);
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sample-notes',
      headers: t.auth('marketer'),
      payload: { contactId: c.id, body: 'hello' },
    });
    assert.equal(made.statusCode, 201, made.body);
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/sample-notes', headers: t.auth('viewer') });
    assert.equal(json(read).data.count, 1);
    assert.ok(
      t.app.apiRoutes.some((r) => r.method === 'POST' && r.url === '/api/v1/sample-notes'),
      'listed with the routes the access test enumerates',
    );
    const audited = await t.services.audit.list({ action: 'sample.create' }, 10);
    assert.equal(audited.length, 2, 'the success and the denial are audited');
  });

  it('has its routes sampled for the access test by a file beside it, which the test finds; without it they are missing', async () => {
    const all = await loadSamples();
    const { samples: mine } = await import('./fixtures/sample-module/sample.access-samples.ts');
    const without = Object.fromEntries(Object.entries(all).filter(([k]) => !(k in mine)));
    assert.deepEqual(missingSamples(t.app.apiRoutes, without), ['GET /api/v1/sample-notes', 'POST /api/v1/sample-notes']);
    assert.deepEqual(missingSamples(t.app.apiRoutes, all), []);
  });

  it('adds its section to the access export, after the product’s, in the file and on the page', async () => {
    const c = await t.services.contacts.create({ email: `export${Date.now()}@example.com` });
    const other = await t.services.contacts.create({ email: `other${Date.now()}@example.com` });
    await notes(t).add(c.id, 'first <note>');
    await notes(t).add(other.id, 'not hers');
    await notes(t).add(c.id, 'second');
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${c.id}/export`, headers: t.auth('privacy_officer') });
    assert.equal(res.statusCode, 200, res.body);
    const doc = json(res);
    assert.deepEqual(
      doc.sampleNotes.map((n: { body: string }) => n.body),
      ['first <note>', 'second'],
    );
    assert.deepEqual(Object.keys(doc).slice(-5), ['consentHistory', 'lists', 'segments', 'segmentsNotEvaluated', 'sampleNotes']);
    const theirs = (await t.services.accessExports.build(other.id)).sampleNotes as { body: string }[];
    assert.deepEqual(
      theirs.map((n) => n.body),
      ['not hers'],
    );
    assert.deepEqual((await t.services.accessExports.buildForEmail('nobody@example.com')).sampleNotes, []);
    const page = renderExportHtml(await t.services.accessExports.build(c.id));
    // Its own section (the table's rows have theirs, under the table's name), listed in the contents.
    assert.match(page, /<section id="s-sampleNotes"><h2>Sample notes<\/h2><pre>[^<]*first &lt;note&gt;[^<]*second[^<]*<\/pre><\/section>/);
    assert.match(page, /<li><a href="#s-sampleNotes">Sample notes<\/a><\/li>/);
    assert.ok(!page.includes('first <note>'), 'escaped');
  });

  it('runs its job in the worker', async () => {
    const c = await t.services.contacts.create({ email: `job${Date.now()}@example.com` });
    const before = await notes(t).count();
    await t.services.jobs.enqueue(SAMPLE_QUEUE, { contactId: c.id, body: 'from a job' });
    // Its queue among the gathered handlers (others, such as the event log's dispatch of the contact's creation, have their own jobs).
    const worker = new Worker(t.services.jobs, { queues: { [SAMPLE_QUEUE]: jobHandlers(t.services)[SAMPLE_QUEUE]! } });
    assert.equal(await worker.runOnce(), 1);
    assert.equal(await notes(t).count(), before + 1);
  });

  it('is refused when it needs a module listed after it', () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite::memory:' });
    assert.throws(
      () => composeServices([sample, ...MODULES], config, ctx.db, systemClock, createLogger('silent')),
      /needs contacts, which does not come before it/,
    );
  });
});

// The access suite, run on the list with the module added, over the module's own routes (the
// product's are the access test's): access control, audit and samples with no edit to it.
accessSuite('access and audit on a module added to the list', {
  modules: LIST,
  prepare: (db) => migrate(db, LIST).then(() => undefined),
  only: (r) => r.url.startsWith('/api/v1/sample-notes'),
  atLeast: { routes: 2, denials: 1, auditEntries: 1 },
});
