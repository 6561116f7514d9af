import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { connect } from '../../src/db/connect.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import { SYSTEM_ACTOR } from '../../src/modules/audit/module.ts';
import { assent } from '../helpers/cli.ts';
import { testApp, json, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

const PASSWORD = 'the real long password';

/** What a client sees of an answer, without what differs between any two answers (time, request id). */
function seen(res: { statusCode: number; body: string; headers: Record<string, unknown> }) {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([k]) => !['date', 'x-request-id', 'request-id'].includes(k)));
  return { status: res.statusCode, body: res.body, headers };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Issue 12 point 6: login throttling slows an attacker without locking the real user out.
forEachDialect('login throttling', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  let n = 0;
  /** A staff user of their own, so each test starts with nothing counted against its address. */
  const user = async (label: string) => {
    const email = `${label}.${++n}@example.com`;
    await t.services.users.createUser({ email, role: 'viewer', password: PASSWORD });
    return email;
  };
  const login = (email: string, password: string, ip: string, app = t) =>
    app.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress: ip });
  const retryAfter = (res: { headers: Record<string, unknown> }) => Number(res.headers['retry-after']);

  it('delays grow: five free failures, then 1, 2, 4 … seconds up to 15 minutes, never a lock', async () => {
    const email = await user('delays');
    const ip = '203.0.113.10';
    for (let i = 0; i < 5; i++) assert.equal((await login(email, `guess ${i}`, ip)).statusCode, 401, `failure ${i + 1} is free`);
    const waits: number[] = [];
    for (let k = 0; k < 13; k++) {
      const early = await login(email, PASSWORD, ip);
      assert.equal(early.statusCode, 429, 'an attempt inside the delay is refused, the right password too');
      assert.equal(json(early).error.code, 'rate_limited');
      waits.push(retryAfter(early));
      // A refused attempt is not counted: the same wait is asked again.
      assert.equal(retryAfter(await login(email, 'another guess', ip)), waits[k]);
      clock.advance(waits[k]! * 1000 - 1);
      assert.equal((await login(email, 'just before', ip)).statusCode, 429, 'one millisecond early is still early');
      clock.advance(1);
      assert.equal((await login(email, `late guess ${k}`, ip)).statusCode, 401, 'on time, the guess is checked');
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
    // Never a lock: after the delay the right password gets in, and the count starts again.
    clock.advance(900_000);
    assert.equal((await login(email, PASSWORD, ip)).statusCode, 201);
    for (let i = 0; i < 5; i++) assert.equal((await login(email, `again ${i}`, ip)).statusCode, 401);
    assert.equal(retryAfter(await login(email, 'one more', ip)), 1);
    // Counts are forgotten an hour after the last attempt.
    clock.advance(3600_000);
    for (let i = 0; i < 5; i++) assert.equal((await login(email, `next day ${i}`, ip)).statusCode, 401);
  });

  it('one address in any case, one IPv6 /64 and an IPv4-mapped address are one subject each', async () => {
    const email = await user('spelling');
    const spellings = [email, email.toUpperCase(), ` ${email}`, email.replace('spelling', 'SPELLING'), email];
    for (const [i, e] of spellings.entries()) assert.equal((await login(e, 'x', '2001:db8:1:2::a')).statusCode, 401, `attempt ${i}`);
    assert.equal((await login(email, PASSWORD, '2001:db8:1:2:ffff:1:2:3')).statusCode, 429, 'another address of the /64');
    const other = await user('mapped');
    for (let i = 0; i < 5; i++) assert.equal((await login(other, 'x', '198.51.100.7')).statusCode, 401);
    assert.equal((await login(other, PASSWORD, '::ffff:198.51.100.7')).statusCode, 429);
    assert.equal((await login(other, PASSWORD, '198.51.100.8')).statusCode, 201, 'the next IPv4 address is another client');
  });

  it('hostile addresses: Unicode spellings of one address are one subject; refused bodies count nothing', async () => {
    const nfc = `zoë.ünïcødé.${++n}@exämple.org`;
    const nfd = nfc.normalize('NFD').toUpperCase();
    assert.notEqual(nfc, nfd);
    const ip = '198.51.100.150';
    for (let i = 0; i < 5; i++) assert.equal((await login(i % 2 ? nfd : nfc, `guess ${i}`, ip)).statusCode, 401);
    assert.equal((await login(nfc, 'x', ip)).statusCode, 429, 'composed and decomposed, upper and lower case: one address');
    const rows = async () => (await ctx.db.kysely.selectFrom('login_throttle').select('key').execute()).length;
    const before = await rows();
    for (const email of ['', 'a'.repeat(255), null, 42, 'nul\u0000@example.org'])
      assert.equal((await login(email as string, 'x', '198.51.100.151')).statusCode, 400, JSON.stringify(email).slice(0, 20));
    assert.equal(await rows(), before, 'a refused body is not an attempt');
    // Duplicated spellings from many clients of one /64 stay one pair.
    const email = `dup.${++n}@example.org`;
    for (let i = 0; i < 5; i++) assert.equal((await login(email, 'x', `2001:db8:77:1::${i + 1}`)).statusCode, 401);
    assert.equal((await login(email, 'x', '2001:db8:77:1:aaaa::9')).statusCode, 429);
    assert.equal((await login(email, 'x', '2001:db8:77:2::1')).statusCode, 401, 'the next /64 is another client');
  });

  it('the right password still works for the real user while an attacker is being slowed', async () => {
    const email = await user('real');
    const home = '192.0.2.44';
    assert.equal((await login(email, PASSWORD, home)).statusCode, 201, 'the user signed in from home before');
    clock.advance(24 * 3600_000);

    // An attacker on one address: slowed, and the user comes in from home and from a new place.
    for (let i = 0; i < 5; i++) await login(email, `single ${i}`, '198.51.100.66');
    assert.equal((await login(email, 'single 6', '198.51.100.66')).statusCode, 429);
    assert.equal((await login(email, PASSWORD, home)).statusCode, 201);
    assert.equal((await login(email, PASSWORD, '192.0.2.45')).statusCode, 201, 'one slowed client does not reach the address ceiling');

    // Spread over forty addresses, the attacker passes the address's ceiling: every client
    // without a recent right password is slowed on this address, the attacker's fresh ones too …
    const codes: number[] = [];
    for (let a = 0; a < 40; a++) codes.push((await login(email, `spread ${a}`, `100.64.0.${a}`)).statusCode);
    assert.equal(
      codes.filter((c) => c === 401).length,
      15,
      'twenty failures for the address: five from the single attacker, fifteen spread',
    );
    assert.deepEqual(codes.slice(15), Array(25).fill(429));
    const fresh = await login(email, 'fresh guess', '100.64.1.1');
    assert.equal(fresh.statusCode, 429);
    assert.ok(retryAfter(fresh) >= 1);
    // … while the user's own client, known by its right password, goes straight in, and can mistype.
    assert.equal((await login(email, 'typo', home)).statusCode, 401);
    assert.equal((await login(email, PASSWORD, home)).statusCode, 201);
    assert.equal((await login(email, PASSWORD, '192.0.2.45')).statusCode, 201, 'known too, since its right password');
    // Other addresses are untouched by the attack on this one.
    const bystander = await user('bystander');
    assert.equal((await login(bystander, PASSWORD, '100.64.1.2')).statusCode, 201);
  });

  it('a client guessing many addresses is slowed on all of them after fifty failures', async () => {
    const ip = '203.0.113.99';
    // A colleague behind the same address (an office's NAT) signed in from it before the spray.
    const colleague = await user('colleague');
    assert.equal((await login(colleague, PASSWORD, ip)).statusCode, 201);
    for (let i = 0; i < 50; i++) assert.equal((await login(`spray${i}@example.net`, 'Winter2026!', ip)).statusCode, 401);
    const email = await user('sprayed');
    assert.equal((await login(email, PASSWORD, ip)).statusCode, 429, 'the client, not the address, is delayed');
    assert.equal((await login(email, PASSWORD, '203.0.113.100')).statusCode, 201);
    assert.equal((await login(colleague, PASSWORD, ip)).statusCode, 201, 'a client known for the address is held only to its own count');
  });

  it('an unknown address is answered exactly like a known one: statuses, bodies, headers, delays, time', async () => {
    const known = await user('known');
    const unknown = `unknown.${n}@example.com`;
    const run = async (email: string, ip: string) => {
      const out = [];
      for (let i = 0; i < 8; i++) out.push(seen(await login(email, `guess ${i}`, ip)));
      clock.advance(1000);
      out.push(seen(await login(email, 'after a second', ip)));
      out.push(seen(await login(email, 'too soon', ip)));
      return out;
    };
    const a = await run(known, '198.18.0.1');
    const b = await run(unknown, '198.18.0.2');
    assert.deepEqual(
      a.map((x) => x.status),
      [401, 401, 401, 401, 401, 429, 429, 429, 401, 429],
    );
    assert.deepEqual(b, a);

    // Time: a wrong password and an unknown address cost the same password check. Interleaved,
    // each from its own client so that no delay applies; medians against the machine's noise.
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    for (let i = 0; i < 9; i++)
      for (const [which, email] of [
        ['known', known],
        ['unknown', unknown],
      ] as const) {
        const t0 = performance.now();
        const res = await login(email, 'timed guess', `198.18.1.${i * 2 + (which === 'known' ? 0 : 1)}`);
        times[which].push(performance.now() - t0);
        assert.equal(res.statusCode, 401);
      }
    const ratio = median(times.unknown) / median(times.known);
    assert.ok(ratio > 0.5 && ratio < 2, `unknown/known time ${ratio.toFixed(2)} (${median(times.unknown).toFixed(0)} ms)`);
  });

  it('the own-password route guesses through the same throttle as logins', async () => {
    const email = await user('own');
    const ip = '192.0.2.200';
    const cookie = [(await login(email, PASSWORD, ip)).headers['set-cookie']]
      .flat()
      .find((c) => typeof c === 'string' && c.startsWith('assent_session='))!
      .split(';')[0]!;
    const change = (currentPassword: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/session/password',
        headers: { cookie },
        payload: { currentPassword, newPassword: 'a new long enough password' },
        remoteAddress: ip,
      });
    for (let i = 0; i < 5; i++) assert.equal((await change(`guess ${i}`)).statusCode, 400);
    const slowed = await change(PASSWORD);
    assert.equal(slowed.statusCode, 429);
    assert.equal(json(slowed).error.code, 'rate_limited');
    assert.equal(retryAfter(slowed), 1);
    assert.equal((await login(email, PASSWORD, ip)).statusCode, 429, 'one count for the address from this client');
    clock.advance(1000);
    assert.equal((await change(PASSWORD)).statusCode, 204);
  });

  it('two app instances share the throttle, and concurrent guesses get exactly the free ones', async () => {
    // On PostgreSQL the second instance has its own pool, as a second process would.
    const db2 = ctx.dialect === 'postgres' ? connect(ctx.url, { poolSize: 8 }) : ctx.db;
    const other = await testApp(db2, { clock });
    try {
      const email = await user('shared');
      for (let i = 0; i < 5; i++) assert.equal((await login(email, 'x', '192.0.2.77', i % 2 ? other : t)).statusCode, 401);
      const there = await login(email, PASSWORD, '192.0.2.77', other);
      assert.equal(there.statusCode, 429);
      assert.equal(retryAfter(there), 1);

      const burst = await user('burst');
      const codes = await Promise.all(
        Array.from({ length: 16 }, (_, i) => login(burst, `parallel ${i}`, '192.0.2.78', i % 2 ? other : t).then((r) => r.statusCode)),
      );
      assert.deepEqual([codes.filter((c) => c === 401).length, codes.filter((c) => c === 429).length], [5, 11], `codes ${codes.join(',')}`);
    } finally {
      await other.close();
      if (db2 !== ctx.db) await db2.close();
    }
  });

  it('assent users unlock EMAIL clears the address; a usage error ends 2', async () => {
    const email = await user('unlock');
    for (let i = 0; i < 5; i++) assert.equal((await login(email, 'x', '100.65.1.2')).statusCode, 401);
    for (let a = 0; a < 25; a++) await login(email, `spread ${a}`, `100.65.0.${a}`);
    assert.equal((await login(email, PASSWORD, '100.65.1.1')).statusCode, 429, 'the address is slowed');
    assert.equal((await login(email, PASSWORD, '100.65.1.2')).statusCode, 429, 'and the pair');
    const rows = () =>
      ctx.db.kysely
        .selectFrom('login_throttle')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    const before = await rows();

    const r = await assent(ctx.url, 'users', 'unlock', email.toUpperCase());
    assert.equal(r.code, 0, r.stderr);
    // The address's own row and its pairs with 100.65.1.2 and the 15 spread clients let through
    // before the ceiling (refused attempts leave nothing); the clients' own rows are not the address's.
    assert.match(r.stdout, /cleared the login throttle of \S+: 17 entries removed/);
    assert.equal(await rows(), before - 17);
    assert.equal((await login(email, PASSWORD, '100.65.1.1')).statusCode, 201);
    assert.equal((await login(email, PASSWORD, '100.65.1.2')).statusCode, 201);
    const audit = await t.services.audit.list({ action: 'user.unlock' }, 10);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actorType, 'cli');

    const again = await assent(ctx.url, 'users', 'unlock', 'never.tried@example.com');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to clear/);
    assert.equal((await assent(ctx.url, 'users', 'unlock')).code, 2, 'no address');
    assert.equal((await assent(ctx.url, 'users', 'unlock', 'not an address')).code, 2, 'not an address');
    assert.equal((await assent(ctx.url, 'users', 'unlock', email, '--bogus')).code, 2, 'an unknown option');
  });

  it('rows hold no address nor client address, and retention removes them a day after they stop counting', async () => {
    const email = await user('stored');
    await login(email, 'x', '192.0.2.250');
    await login(email, PASSWORD, '192.0.2.251');
    const stored = JSON.stringify(await ctx.db.kysely.selectFrom('login_throttle').selectAll().execute());
    for (const needle of [email, email.split('@')[0]!, '192.0.2.25']) assert.ok(!stored.includes(needle), needle);

    const count = async () =>
      Number(
        (
          await ctx.db.kysely
            .selectFrom('login_throttle')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const all = await count();
    assert.ok(all > 0);
    clock.advance(3600_000 + 86_400_000 + 1000);
    await t.services.retention.run({ actor: SYSTEM_ACTOR });
    const left = await ctx.db.kysely.selectFrom('login_throttle').select(['good_until']).execute();
    assert.ok(left.length > 0 && left.length < all, 'failure counts went, known clients stay');
    assert.ok(left.every((r) => r.good_until !== null));
    clock.advance(30 * 86_400_000);
    await t.services.retention.run({ actor: SYSTEM_ACTOR });
    assert.equal(await count(), 0);
  });
});
