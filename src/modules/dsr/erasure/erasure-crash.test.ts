import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { forEachDialect } from '../../../../test/helpers/db.ts';
import { loadConfig } from '../../../config.ts';
import { systemClock } from '../../../lib/clock.ts';
import { createLogger } from '../../../lib/log.ts';
import { createServices, type Services } from '../../../services.ts';
import { buildPerson, ERASE_ME, prepareWorld, rowsOf } from '../../../../test/fixtures/dsr/erasure.fixture.ts';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const PAUSE_MS = 150;
// Kills inside the lingering transaction, and at points after it: in the big deletes, around the commit, after it.
const DELAYS = [0, PAUSE_MS + 5, PAUSE_MS + 120, PAUSE_MS + 800];

/**
 * Starts the erasing child (it loads while the caller builds the person), then hands it the
 * contact and kills it `delay` ms after it reports being inside the transaction.
 */
function startEraser(url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/dsr/erasure-crash.fixture.ts', url, String(PAUSE_MS)], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let delay: number | null = null;
  let aimed = false;
  child.stderr.on('data', (c) => (err += c));
  const exited = once(child, 'exit');
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const ready = new Promise<void>((resolve) =>
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('ready\n')) resolve();
      if (out.includes('mid\n') && delay !== null && !aimed) {
        aimed = true;
        setTimeout(() => child.kill('SIGKILL'), delay);
      }
    }),
  );
  return {
    async eraseAndKill(contactId: string, killDelay: number): Promise<{ finished: boolean }> {
      await Promise.race([ready, exited]);
      delay = killDelay;
      child.stdin.end(`${contactId}\n`);
      const [code, signal] = await exited;
      clearTimeout(timer);
      if (!out.includes('mid\n')) assert.fail(`the child never reached the transaction (exit ${code}): ${err}`);
      assert.ok(signal === 'SIGKILL' || code === 0, `the child failed (exit ${code}): ${err}`);
      return { finished: out.includes('done\n') };
    },
  };
}

forEachDialect('erasure survives SIGKILL', (ctx) => {
  let s: Services;
  let world: { listId: string; segmentId: string };
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
    world = await prepareWorld(s);
  });

  it('a process killed during an erasure leaves all of the person or nothing', { timeout: 300_000 }, async (t) => {
    const outcomes: string[] = [];
    for (const [i, delay] of DELAYS.entries()) {
      const eraser = startEraser(ctx.url);
      const p = { ...ERASE_ME, email: ERASE_ME.email.replace('@', `.k${i}@`), lastName: `${ERASE_ME.lastName}k${i}` };
      const { contactId } = await buildPerson(s, p, world, { interactions: 20_000 });
      const who = { contactId, email: p.email };
      const whole = await rowsOf(s, who);
      const { finished } = await eraser.eraseAndKill(contactId, delay);

      const now = await rowsOf(s, who);
      const left = Object.values(now).flat().length;
      const v = await s.ledger.verify();
      assert.equal(v.ok, true, `delay ${delay}: ${JSON.stringify(v.problem)}`);
      if (left === 0) {
        outcomes.push('none');
        continue;
      }
      assert.equal(finished, false, `delay ${delay}: a finished erasure left rows`);
      assert.deepEqual(now, whole, `delay ${delay}: a partial erasure`);
      assert.equal(await s.suppressions.isSuppressed(p.email), false, `delay ${delay}: the suppression committed without the erasure`);
      outcomes.push('all');
      // Leave the database as tidy as a completed erasure would.
      await s.erasure.erase({ contactIds: [contactId] }, { actor: { type: 'system', id: null } });
    }
    t.diagnostic(`outcomes by delay: ${DELAYS.map((d, i) => `${d}ms=${outcomes[i]}`).join(', ')}`);
    assert.ok(outcomes.includes('all'), `some kill landed inside the transaction: ${outcomes.join(', ')}`);
  });
});
