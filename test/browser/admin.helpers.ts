// What the administration flows need beyond harness.ts: the server's database URL, to put into the
// outbox a message no API route can write (a subject holding markup), as a hostile relay-less
// installation might keep. startConsoleServer does not say where its database is, so this starts
// `assent start` the same way on a database it names. (The integrator may fold this into harness.ts.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/db/connect.ts';
import { newId } from '../../src/lib/ids.ts';
import { ensureConsoleBuilt } from '../helpers/console.ts';
import { type ScratchDb, scratchDatabase } from '../helpers/db.ts';
import { startAssent } from '../helpers/start.ts';
import type { ConsoleServer } from './harness.ts';

export interface AdminServer extends ConsoleServer {
  databaseUrl: string;
}

/** As startConsoleServer, with the database's URL. */
export async function startAdminServer(dialect: 'sqlite' | 'postgres'): Promise<AdminServer> {
  ensureConsoleBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'assent-admin-'));
  let pg: ScratchDb | undefined;
  if (dialect === 'postgres') {
    pg = await scratchDatabase('postgres');
    // The server migrates it: the scratch connection is not needed.
  }
  const databaseUrl = pg ? pg.url : `sqlite:${join(dir, 'assent.db')}`;
  const server = await startAssent(dir, { env: { DATABASE_URL: databaseUrl } });
  const out = server.out();
  const email = /email: +(\S+)/.exec(out)?.[1];
  const password = /password: +(\S+)/.exec(out)?.[1];
  assert.ok(email && password, `the first admin's login is printed:\n${out}`);
  let cookie = '';
  const api: ConsoleServer['api'] = async (method, path, body) => {
    if (!cookie) {
      const res = await fetch(`${server.base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      assert.equal(res.status, 201, 'the admin logs in through the API');
      cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    }
    const res = await fetch(`${server.base}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  let n = 0;
  return {
    base: server.base,
    dialect,
    admin: { email, password },
    server,
    api,
    databaseUrl,
    user: async (role) => {
      const who = { email: `${role.replace('_', '-')}-${++n}@example.com`, password: `a password for ${role} ${n}` };
      const made = await api('POST', '/api/v1/users', { ...who, role });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      return who;
    },
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      await pg?.drop();
    },
  };
}

/** A message kept in the server's outbox, written to its database as the mail module would. */
export async function keepInOutbox(
  server: AdminServer,
  m: { to: string; subject: string; text: string | null; html: string | null },
): Promise<string> {
  const db = connect(server.databaseUrl);
  const id = newId();
  try {
    await db.kysely
      .insertInto('outbox')
      .values({
        id,
        contact_id: null,
        to_address: m.to,
        from_address: 'assent@example.com',
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        headers: '{}',
        purpose: 'transactional',
        created_at: new Date().toISOString(),
      })
      .execute();
  } finally {
    await db.close();
  }
  return id;
}
