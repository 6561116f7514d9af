// Issue 12 point 6: the login throttle is shared by every serving process. Bursts of wrong
// passwords for one address go to two servers on one database at once: every attempt let through
// is counted once (the address's count in the database equals the 401s), and none slips past a
// delay another process has just set (beyond the 5 free failures, the k-th attempt let through
// needs 2^k - 1 seconds of burst). Then the right password gets in once the delay has passed.
import assert from 'node:assert/strict';
import { hmac } from '../../../src/lib/crypto.ts';
import type { HarnessCase } from '../harness.ts';
import { call, SCALE, sleep, Tally } from '../load.ts';

const PASSWORD = 'the harness user password';
const BURST = 24;

export const harnessCase: HarnessCase = {
  name: 'wrong passwords sent to two servers at once: each attempt let through counted once, none past a delay',
  dialects: ['postgres', 'sqlite'],
  timeoutMs: 600_000,
  async run(h) {
    const inst = await h.start({ servers: 2 });
    const run = Math.random().toString(36).slice(2, 8);
    const outcomes = new Tally();
    const secret = await inst.services.secret.key();
    for (let round = 0; round < 2 * SCALE; round++) {
      const email = `throttle-${run}-${round}@example.com`;
      await inst.services.users.createUser({ email, role: 'viewer', password: PASSWORD });
      const t0 = Date.now();
      const replies = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          call(inst.servers[i % 2]!.url!, 'POST', '/api/v1/session', { body: { email, password: `guess ${i}` }, timeoutMs: 120_000 }),
        ),
      );
      const spanS = (Math.max(...replies.map((r) => r.endedAt)) - t0) / 1000;
      const by = (s: number) => replies.filter((r) => r.status === s).length;
      const [let401, refused, busy] = [by(401), by(429), by(503)];
      outcomes.add(`${let401} let through, ${refused} refused, ${busy} busy`);
      assert.equal(let401 + refused + busy, BURST, `only 401, 429 and 503: ${replies.map((r) => r.status).join(',')}`);
      const bound = 5 + Math.floor(Math.log2(spanS + 1));
      assert.ok(let401 >= 5 - busy && let401 <= bound, `${let401} let through in ${spanS.toFixed(1)} s (at most ${bound})`);
      const row = await inst.db.kysely
        .selectFrom('login_throttle')
        .select('failures')
        .where('key', '=', hmac(secret, `login:address\u0000${email}`))
        .executeTakeFirstOrThrow();
      // A 503 may come before or after its attempt was counted; a 401 always after.
      assert.ok(row.failures >= let401 && row.failures <= let401 + busy, `counted ${row.failures}, let through ${let401}`);
      // Slowed, not locked: the right password gets in once the client waits what it is told.
      let ok = await call(inst.servers[round % 2]!.url!, 'POST', '/api/v1/session', { body: { email, password: PASSWORD } });
      for (let tries = 0; ok.status === 429 && tries < 5; tries++) {
        await sleep(Number(ok.headers?.get('retry-after') ?? 1) * 1000 + 50);
        ok = await call(inst.servers[round % 2]!.url!, 'POST', '/api/v1/session', { body: { email, password: PASSWORD } });
      }
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
    }
    h.note(`${2 * SCALE} bursts of ${BURST}: ${outcomes}`);
  },
};
