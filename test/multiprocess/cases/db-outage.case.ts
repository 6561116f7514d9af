// Issue 10, defect 7: the database goes away under load. PostgreSQL (a cluster of the case's
// own: the suite's is shared) is stopped for a few seconds while clients drive both servers,
// once politely (`fast`: sessions are told it shuts down) and once as in a crash (`immediate`).
// While it is down /health answers 503 and every API call 503 `database_unavailable` with
// Retry-After, never 500; after it is back both servers serve again without a restart.
import assert from 'node:assert/strict';
import type { HarnessCase } from '../harness.ts';
import type { Installation } from '../installation.ts';
import { call, pool, SCALE, sleep, waitFor } from '../load.ts';
import { opsDriver, unexpectedReplies, type Sample } from '../ops.ts';

const OUTAGE_MS = 4_000;
/** Both servers must answer /health ok within this long of PostgreSQL accepting connections again. */
const RECOVERY_MS = 20_000;

export const harnessCase: HarnessCase = {
  name:
    'PostgreSQL stopped for seconds under load: /health 503 while down, API 503 database_unavailable (never 500), both servers ' +
    'recover without restart',
  dialects: ['postgres'],
  timeoutMs: 600_000,
  async run(h) {
    const inst = await h.start({ servers: 2, ownCluster: true });
    const pids = inst.servers.map((s) => s.pid);
    const modes = Array.from({ length: 2 * SCALE }, (_, i): 'fast' | 'immediate' => (i % 2 === 0 ? 'fast' : 'immediate'));
    for (const [round, mode] of modes.entries()) {
      const samples: Sample[] = [];
      const driver = opsDriver(inst);
      let stop = false;
      const load = pool({ concurrency: 6, until: () => stop }, async (_i, lane) => void samples.push(await driver.step(lane)));
      await sleep(2_000);
      await inst.cluster!.pause(mode);
      const downFrom = Date.now();
      await sleep(OUTAGE_MS);
      const downUntil = Date.now();
      await inst.cluster!.resume();
      const upAt = Date.now();
      const recovered = await waitFor(
        'both servers to answer /health ok',
        async () => {
          const r = await Promise.all(inst.servers.map((s) => call(s.url!, 'GET', '/health', { timeoutMs: 5_000 })));
          return r.every((x) => x.status === 200) ? Date.now() : undefined;
        },
        RECOVERY_MS,
      );
      await sleep(2_000);
      stop = true;
      await load;

      const during = samples.filter((s) => s.reply.startedAt >= downFrom && s.reply.endedAt <= downUntil);
      const health = during.filter((s) => s.op === 'health');
      const after = samples.filter((s) => s.reply.startedAt >= recovered);
      h.note(
        `round ${round + 1} (${mode} stop): ${samples.length} calls, ${during.length} while down (${health.length} health checks), ` +
          `back ${((recovered - upAt) / 1000).toFixed(1)} s after the restart, ${after.length} calls after`,
      );
      assert.deepEqual(unexpectedReplies(samples), [], 'only 2xx, and 503 database_unavailable with Retry-After');
      for (const [i] of inst.servers.entries()) {
        assert.ok(
          health.some((s) => s.server === i),
          `server ${i + 1} was asked for its health while the database was down`,
        );
        assert.ok(
          during.some((s) => s.server === i && s.op !== 'health'),
          `server ${i + 1} got API calls while the database was down`,
        );
      }
      assert.deepEqual(
        health.filter((s) => s.reply.status !== 503).map((s) => `server ${s.server + 1}: ${s.reply.status}`),
        [],
        '/health answers 503 while the database is down',
      );
      assert.deepEqual(
        during
          .filter((s) => s.op !== 'health' && s.reply.status !== 503)
          .map((s) => `${s.op} on server ${s.server + 1}: ${s.reply.status}`),
        [],
        'every API call answers 503 while the database is down',
      );
      assert.deepEqual(
        after
          .filter((s) => s.reply.status >= 300)
          .map((s) => `${s.op} on server ${s.server + 1}: ${s.reply.status} ${JSON.stringify(s.reply.body)}`),
        [],
        'after recovery every call succeeds',
      );
      for (const [i] of inst.servers.entries())
        assert.ok(
          after.some((s) => s.server === i && s.op === 'create'),
          `server ${i + 1} creates contacts again`,
        );
    }
    assert.deepEqual(
      inst.servers.map((s) => s.pid),
      pids,
      'the same server processes throughout',
    );
    assert.ok(inst.servers.every((s) => s.alive));
    assert.ok((await live(inst)) > 0);
  },
};

async function live(inst: Installation): Promise<number> {
  const r = await inst.db.kysely
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
