import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LoginThrottle } from '../../src/modules/users/login-throttle.service.ts';
import { UsersService } from '../../src/modules/users/users.service.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/lib/log.ts';
import { createServices } from '../../src/services.ts';
import { assent } from '../helpers/cli.ts';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('the assent command', (ctx) => {
  // The users service as the CLI's services build it, on the test's database (the throttle's key is the test's own).
  const usersService = () =>
    new UsersService(ctx.db, systemClock, 3600_000, new LoginThrottle(ctx.db, systemClock, async () => Buffer.alloc(32, 7)));
  it('migrate reports an up-to-date database', async () => {
    const r = await assent(ctx.url, 'migrate');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /up to date/);
  });

  it('users create prints a generated password that logs in; a bad role fails', async () => {
    const r = await assent(ctx.url, 'users', 'create', '--email', 'cli.user@example.com', '--role', 'marketer');
    assert.equal(r.code, 0, r.stderr);
    const password = /password: (\S+)/.exec(r.stdout)?.[1];
    assert.ok(password);
    const users = usersService();
    assert.equal((await users.authenticate('cli.user@example.com', password)).role, 'marketer');

    const bad = await assent(ctx.url, 'users', 'create', '--email', 'x@example.com', '--role', 'root');
    assert.notEqual(bad.code, 0);
    const dup = await assent(
      ctx.url,
      'users',
      'create',
      '--email',
      'cli.user@example.com',
      '--role',
      'viewer',
      '--password',
      'another long password',
    );
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /user_exists/);
  });

  it('keys create prints the key alone on the last line, and it authenticates with its role', async () => {
    const r = await assent(ctx.url, 'keys', 'create', '--name', 'ci', '--role', 'privacy_officer');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    const key = lines[lines.length - 1]!;
    assert.match(key, /^assent_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const users = usersService();
    assert.equal((await users.resolveKey(key))?.role, 'privacy_officer');
    const audit = await ctx.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'key.create').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_type, 'cli');
  });

  it('datamap prints the JSON contract and the Markdown report', async () => {
    const j = await assent(ctx.url, 'datamap');
    assert.equal(j.code, 0, j.stderr);
    const map = JSON.parse(j.stdout) as {
      tables: {
        name: string;
        subjectLink: unknown;
        purposes: string[];
        retention: unknown;
        columns: { name: string; category: string; personal: boolean; erase: string; exported: boolean }[];
      }[];
    };
    const outbox = map.tables.find((t) => t.name === 'outbox')!;
    assert.deepEqual(outbox.subjectLink, { kind: 'email', column: 'to_address' });
    assert.deepEqual(outbox.retention, { after: 'P30D', from: 'created_at' });
    const to = outbox.columns.find((c) => c.name === 'to_address')!;
    assert.deepEqual(Object.keys(to).sort(), ['category', 'erase', 'exported', 'freeText', 'name', 'personal']);
    assert.equal(to.personal, true);
    assert.equal(to.erase, 'delete-row');
    const md = await assent(ctx.url, 'datamap', '--format', 'md');
    assert.equal(md.code, 0);
    assert.match(md.stdout, /^# Records of processing/);
    assert.match(md.stdout, /### outbox/);
    assert.notEqual((await assent(ctx.url, 'datamap', '--format', 'xml')).code, 0);
  });

  it('dsr erase says plainly when the erasure is not complete, with the tasks it left, and exits 3', async () => {
    const s = createServices(loadConfig({}), ctx.db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
    await s.contacts.create({ email: 'cli.residue@example.org', firstName: 'Clio', lastName: 'Residuelle' });
    const list = await s.lists.create({ name: 'Residuelle, Clio and friends' });
    const r = await assent(ctx.url, 'dsr', 'erase', 'cli.residue@example.org');
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /NOT COMPLETE/);
    assert.match(r.stdout, new RegExp(`task \\S+\\tresidue\\tlists\\.name\\trow ${list.id}`));
    assert.doesNotMatch(r.stdout, /clio|residuelle/i);
  });
});
