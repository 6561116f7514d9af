import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { createServices, type Services } from '../../src/services.ts';
import { assent } from '../helpers/cli.ts';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('assent dsr erase', (ctx) => {
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });

  // On SQLite the scan reads the file's bytes in a reader process the command starts: it must
  // answer, and must not keep the command from exiting once it is done.
  it('erases by address, reports a clean residue scan and exits', { timeout: 120_000 }, async () => {
    const c = await s.contacts.create({
      email: 'cli.erase@example.org',
      firstName: 'Clementine',
      lastName: 'Eraseworth',
      phone: '+49 151 9876 5432',
    });
    const r = await assent(ctx.url, 'dsr', 'erase', 'cli.erase@example.org');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /contacts: 1/);
    assert.match(r.stdout, /residue scan: clean/);
    assert.equal(await ctx.db.kysely.selectFrom('contacts').select('id').where('id', '=', c.id).executeTakeFirst(), undefined);
  });
});
