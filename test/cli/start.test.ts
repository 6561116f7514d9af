import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { startAssent } from '../helpers/start.ts';

const BIN = new URL('../../bin/assent.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'assent-start-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const start = () => startAssent(dir);

it('npm start serves health, the OpenAPI document and the docs on the embedded database, printing the first login once', async () => {
  const first = await start();
  try {
    assert.match(first.out(), /email: +admin@example\.com/);
    const password = /password: +(\S+)/.exec(first.out())![1]!;
    assert.deepEqual(await (await fetch(`${first.base}/health`)).json(), { status: 'ok' });
    const doc = (await (await fetch(`${first.base}/openapi.json`)).json()) as { openapi: string };
    assert.match(doc.openapi, /^3\./);
    assert.equal((await fetch(`${first.base}/docs/`)).status, 200);
    const login = await fetch(`${first.base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password }),
    });
    assert.equal(login.status, 201);
  } finally {
    await first.stop();
  }
  const second = await start();
  try {
    assert.doesNotMatch(second.out(), /password:/, 'the login is printed only when the admin is created');
  } finally {
    await second.stop();
  }
  // The quickstart's consent ledger is authenticated from the start, under a key kept beside the
  // database file, not in it (issue 9, point 6c).
  assert.ok(existsSync(join(dir, 'data', 'assent.db.ledger-key')));
  assert.equal(statSync(join(dir, 'data', 'assent.db.ledger-key')).mode & 0o777, 0o600);
  const verify = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'consent', 'verify'], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => resolve({ code, out }));
  });
  assert.equal(verify.code, 0, verify.out);
  assert.match(verify.out, /authenticated with the ledger key from the key file beside the database/);
});
