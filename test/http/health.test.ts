import assert from 'node:assert/strict';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { connect, openSqlite, parseDatabaseUrl } from '../../src/db/connect.ts';
import type { Db } from '../../src/modules/database.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect, freshDatabase, PG_URL, type ScratchDb } from '../helpers/db.ts';

function assertUnavailable(res: LightMyRequestResponse, what: string): void {
  assert.equal(res.statusCode, 503, `${what}: ${res.body}`);
  assert.equal(json(res).error.code, 'database_unavailable', what);
  assert.match(String(res.headers['retry-after']), /^\d+$/, `${what} says when to retry`);
}

forEachDialect('health', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  it('answers ok for /health (the database answers) and /health/live (the process does)', async () => {
    for (const url of ['/health', '/health/live']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.deepEqual(json(res), { status: 'ok' });
    }
  });
});

/**
 * A TCP relay in front of the test cluster that can be cut and restored: PostgreSQL going away
 * and coming back, as the app sees it, without stopping a server other tests share.
 */
class CuttableLink {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** New connections are refused and open ones are cut. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('health and API while PostgreSQL is away [postgres]', {
  skip: PG_URL ? false : 'PostgreSQL not available (see npm test output)',
}, () => {
  let scratch: ScratchDb;
  let link: CuttableLink;
  let db: Db;
  let t: TestApp;
  before(async () => {
    scratch = await freshDatabase('postgres');
    const u = new URL(scratch.url);
    link = new CuttableLink({ host: u.hostname, port: Number(u.port) });
    await link.open();
    u.host = `127.0.0.1:${link.port}`;
    db = connect(u.toString(), { poolSize: 4 });
    t = await testApp(db);
  });
  after(async () => {
    await t?.close();
    await db?.close();
    await link?.cut();
    await scratch?.drop();
  });

  it(
    'answers 503 database_unavailable with Retry-After while it ' + 'cannot be reached, and ok again once it can, without a restart',
    async () => {
      const api = () => t.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: t.auth('admin') });
      assert.equal((await t.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
      assert.equal((await api()).statusCode, 200);

      await link.cut();
      for (let round = 0; round < 3; round++) {
        assertUnavailable(await t.app.inject({ method: 'GET', url: '/health' }), '/health while the database is away');
        assertUnavailable(await api(), 'an API call while the database is away');
        const write = await t.app.inject({
          method: 'POST',
          url: '/api/v1/contacts',
          headers: t.auth('admin'),
          payload: { email: `away${round}@example.com` },
        });
        assertUnavailable(write, 'a write while the database is away');
      }
      assert.equal((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'the process itself is fine');

      await link.open();
      assert.equal((await t.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
      assert.equal((await api()).statusCode, 200);
      const write = await t.app.inject({
        method: 'POST',
        url: '/api/v1/contacts',
        headers: t.auth('admin'),
        payload: { email: 'back@example.com' },
      });
      assert.equal(write.statusCode, 201);
    },
  );
});

describe('a write while another process holds the SQLite write lock past the busy timeout [sqlite]', () => {
  let scratch: ScratchDb;
  let t: TestApp;
  before(async () => {
    scratch = await freshDatabase('sqlite');
    t = await testApp(scratch.db);
    // The product waits 5 s; the answer is the same after any wait.
    scratch.db.sqlite!.pragma('busy_timeout = 200');
  });
  after(async () => {
    await t?.close();
    await scratch?.drop();
  });

  it('answers 503 database_unavailable with Retry-After, and writes again once the lock is let go', async () => {
    const holder = openSqlite(parseDatabaseUrl(scratch.url).location);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const write = await t.app.inject({
        method: 'POST',
        url: '/api/v1/contacts',
        headers: t.auth('admin'),
        payload: { email: 'locked@example.com' },
      });
      assertUnavailable(write, 'a write while the lock is held');
      const read = await t.app.inject({ method: 'GET', url: '/health' });
      assert.equal(read.statusCode, 200, 'reads go on beside the writer: the database is there');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: t.auth('admin'),
      payload: { email: 'locked@example.com' },
    });
    assert.equal(write.statusCode, 201);
  });
});
