import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Command } from 'commander';
import { isFresh, STAMP } from '../../bin/fresh.js';
import { build } from '../../scripts/build.mjs';
import { buildProgram } from '../../src/cli/program.ts';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { createServices } from '../../src/services.ts';
import { assent, assentWith } from '../helpers/cli.ts';
import { forEachDialect } from '../helpers/db.ts';

// The command line as a script sees it (issue 12, point 8): the compiled build and when it runs,
// what `--help` loads, the version, the exit codes, `--json` on the list commands, and the README
// naming every command.

const root = new URL('../../', import.meta.url).pathname;
const BIN = join(root, 'bin/assent.js');
const run = promisify(execFile);

/** `node [node args] bin/assent.js ARGS`, never throwing on a non-zero exit. */
async function node(nodeArgs: string[], args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, [...nodeArgs, BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('the compiled command line', () => {
  before(async () => assert.equal(await build({ quiet: true }), true, 'esbuild is a devDependency: the build must run'));

  it('bin runs dist/ while it is as new as the sources, and the sources through tsx once one is newer', async () => {
    const fresh = await node([], ['--version'], { ASSENT_CLI_TRACE: '1' });
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stderr, /running dist\/cli\.js/);
    // A source edited after the build: the stamp older than src/ stands for it (touching a source
    // would make every other test here run slowly through tsx until the next build).
    const stamp = join(root, 'dist', STAMP);
    const was = statSync(stamp).mtime;
    utimesSync(stamp, new Date(0), new Date(0));
    try {
      const stale = await node([], ['--version'], { ASSENT_CLI_TRACE: '1' });
      assert.equal(stale.code, 0, stale.stderr);
      assert.match(stale.stderr, /running src\/ through tsx/);
      assert.equal(stale.stdout, fresh.stdout);
    } finally {
      utimesSync(stamp, was, was);
    }
  });

  it('`--help` loads commander and the command definitions only: no server, database driver or logger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-help-'));
    try {
      // A loader hook that names every module the process resolves.
      writeFileSync(
        join(dir, 'hooks.mjs'),
        'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`loaded ${r.url}\\n`); return r; }\n',
      );
      writeFileSync(join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
      const r = await node(['--import', join(dir, 'register.mjs')], ['--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Usage: assent/);
      const loaded = r.stderr.split('\n').filter((l) => l.startsWith('loaded '));
      assert.ok(
        loaded.some((l) => l.endsWith('/dist/cli.js')),
        'the compiled entry ran',
      );
      const heavy = loaded.filter((l) => /node_modules\/(fastify|@fastify|kysely|better-sqlite3|pg|pino|typebox|nodemailer)\//.test(l));
      assert.deepEqual(heavy, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bin/fresh.js: whether dist/ is as new as src/', () => {
  let dir: string;
  const at = (s: number) => new Date(1_700_000_000_000 + s * 1000);
  const touch = (p: string, s: number) => utimesSync(join(dir, p), at(s), at(s));
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'assent-fresh-'));
    mkdirSync(join(dir, 'src/lib'), { recursive: true });
    mkdirSync(join(dir, 'dist'));
    for (const f of ['src/lib/a.ts', 'src/lib/b.ts', 'src/lib/a.test.ts']) writeFileSync(join(dir, f), '');
    for (const p of ['src/lib/a.ts', 'src/lib/b.ts', 'src/lib/a.test.ts', 'src/lib', 'src']) touch(p, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is stale with no build, fresh after one, stale when a source or a folder (a file removed) is newer; tests do not count', () => {
    assert.equal(isFresh(dir), false);
    writeFileSync(join(dir, 'dist', STAMP), '');
    touch(`dist/${STAMP}`, 10);
    assert.equal(isFresh(dir), true);
    touch('src/lib/a.test.ts', 20);
    assert.equal(isFresh(dir), true);
    touch('src/lib/b.ts', 20);
    assert.equal(isFresh(dir), false);
    touch('src/lib/b.ts', 5);
    touch('src/lib', 20);
    assert.equal(isFresh(dir), false);
    touch('src/lib', 10);
    assert.equal(isFresh(dir), true);
  });
});

describe('exit codes and the version, through the real binary', () => {
  let dir: string;
  let url: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'assent-exit-'));
    url = `sqlite:${join(dir, 'never-made.db')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--version prints package.json’s version and exits 0', async () => {
    const r = await assent(url, '--version');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('a usage error exits 2, before any database is opened', async () => {
    for (const args of [
      ['no-such-command'],
      ['users', 'list', '--no-such-option'],
      ['users'], // a group without its command
      ['users', 'create', '--role', 'admin'], // a mandatory option missing
      ['datamap', '--format', 'xml'], // not one of the choices
      ['serve', '--port', 'eighty'], // a malformed value
      ['keys', 'revoke'], // a missing argument
      ['consent', 'verify', '--head', 'not-an-anchor'],
    ]) {
      const r = await assent(url, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.throws(() => statSync(join(dir, 'never-made.db')), /ENOENT/);
  });

  it('a runtime error exits 1: a database that cannot be opened', async () => {
    writeFileSync(join(dir, 'not-a-folder'), '');
    const r = await assentWith({}, `sqlite:${join(dir, 'not-a-folder', 'assent.db')}`, 'users', 'list');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^assent: /);
  });
});

forEachDialect('assent list commands', (ctx) => {
  it('a runtime error exits 1: a key that is not there', async () => {
    const r = await assent(ctx.url, 'keys', 'revoke', 'no-such-key');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /not_found/);
  });

  it('--json prints {"data":[…]} with the documented fields on every list command', async () => {
    const s = createServices(loadConfig({}), ctx.db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
    const name = 'Zoë „Ünïcode“ 名前';
    await s.users.createUser({ email: 'json.list@example.org', role: 'viewer', password: 'a long enough password', name });
    await s.users.createKey({ name, role: 'marketer' });
    const json = async (...args: string[]) => {
      const r = await assent(ctx.url, ...args, '--json');
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      const doc = JSON.parse(r.stdout) as { data: Record<string, unknown>[] };
      assert.deepEqual(Object.keys(doc), ['data']);
      assert.ok(Array.isArray(doc.data));
      return doc.data;
    };
    const users = await json('users', 'list');
    const u = users.find((x) => x.email === 'json.list@example.org');
    assert.deepEqual(Object.keys(u ?? {}), ['id', 'email', 'name', 'role', 'disabled', 'createdAt', 'lastLoginAt']);
    assert.equal(u!.name, name);
    assert.equal(u!.disabled, false);

    const keys = await json('keys', 'list');
    const k = keys.find((x) => x.name === name);
    assert.deepEqual(Object.keys(k ?? {}), ['id', 'name', 'role', 'prefix', 'createdBy', 'createdAt', 'revokedAt']);
    assert.equal(k!.role, 'marketer');
    assert.equal(k!.revokedAt, null);

    assert.deepEqual(await json('contacts', 'duplicates'), []);

    const retention = await json('retention', 'run', '--dry-run');
    assert.ok(retention.length > 0, 'the data map declares retention for some tables');
    for (const item of retention) {
      assert.deepEqual(Object.keys(item), ['table', 'rows', 'dryRun', 'after', 'from', 'cutoff']);
      assert.equal(item.dryRun, true);
      assert.equal(typeof item.rows, 'number');
    }
  });
});

/** Every command that runs something, by its path (`users list`), with its definition. */
function leaves(c: Command, prefix = ''): [string, Command][] {
  return c.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => {
      const path = `${prefix} ${sub.name()}`.trim();
      return sub.commands.length ? leaves(sub, path) : [[path, sub] as [string, Command]];
    });
}

it('every command that lists (its description says so) takes --json', () => {
  const lists = leaves(buildProgram()).filter(([, c]) => /^list\b/i.test(c.description()));
  assert.ok(lists.length >= 3, lists.map(([p]) => p).join(', '));
  assert.deepEqual(
    lists.filter(([, c]) => !c.options.some((o) => o.long === '--json')).map(([p]) => p),
    [],
  );
});

describe('the README', () => {
  it('names every command the program has', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The command line'));
    const paths = leaves(buildProgram()).map(([p]) => p);
    assert.ok(paths.length >= 15, paths.join(', '));
    assert.deepEqual(
      paths.filter((p) => !section.includes(`assent ${p}`)),
      [],
      'commands the README’s command-line section does not name',
    );
  });
});
