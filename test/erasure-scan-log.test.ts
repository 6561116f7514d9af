// Issue 11, point 6: a residue scan that fails is recorded on the receipt as `scan:failed` and
// logged with why, by structure only: no address, name or phone of the person reaches the log.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/log.ts';
import { CLI_ACTOR } from '../src/modules/audit/module.ts';
import { createServices } from '../src/services.ts';
import { forEachDialect } from './helpers/db.ts';

forEachDialect('a failed residue scan', (ctx) => {
  it('is on the receipt as scan:failed, and logged with its reason and without personal data', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const s = createServices(loadConfig({}), ctx.db, systemClock, createLogger('info', sink));
    try {
      await s.settings.ensureDefaults();
      const email = 'zoë.failing-scan@example.org';
      const c = await s.contacts.create({ email, firstName: 'Zoë', phone: '+44 20 7946 0958' });
      // The scan breaks as a driver would: its message quotes the value it choked on.
      s.erasure.scanner.scanDatabase = async () => {
        throw new Error(`invalid input syntax for type uuid: "${email}" near +44 20 7946 0958`);
      };
      const r = await s.erasure.erase({ contactIds: [c.id] }, { actor: CLI_ACTOR });
      assert.deepEqual(r.residue, ['scan:failed']);

      const entries = lines.map((l) => JSON.parse(l) as { level: number; msg: string; err?: { type: string; message: string } });
      const failed = entries.filter((e) => e.level >= 50 && /residue scan/.test(e.msg));
      assert.equal(failed.length, 1, `one error entry for the failed scan; the log was:\n${lines.join('\n')}`);
      assert.equal(failed[0]!.err?.type, 'Error');
      assert.match(failed[0]!.err!.message, /invalid input syntax for type uuid/, 'why it failed, by its shape');
      for (const secret of [email, 'Zoë', '7946', 'example.org']) assert.ok(!lines.join('\n').includes(secret), `no ${secret} in the log`);
    } finally {
      await s.close();
    }
  });
});
