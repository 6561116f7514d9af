import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/log.ts';
import { consent } from '../src/modules/consent/module.ts';
import { MODULES } from '../src/modules/index.ts';
import { defineModule } from '../src/modules/module.ts';
import { composeServices } from '../src/services.ts';
import { onOneDatabase } from './helpers/db.ts';

// A module erases only its own tables: an eraser is how the owner of evidence (the consent
// ledger) takes part in an erasure, never a way to reach into another module's table.
onOneDatabase('module erasers', (ctx) => {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:' });
  const compose = (extra: ReturnType<typeof defineModule>) =>
    composeServices([...MODULES, extra], config, ctx.db, systemClock, createLogger('silent'));

  it('refuses an eraser for a table the module does not declare', () => {
    const intruder = defineModule({
      name: 'intruder',
      needs: [consent],
      dataMap: [],
      create: () => ({}),
      erasers: () => ({ consent_ledger: async () => 0 }),
    });
    assert.throws(() => compose(intruder), /intruder offers to erase consent_ledger, which it does not declare/);
  });

  it('the consent module erases its ledger itself', () => {
    assert.deepEqual(Object.keys(consent.erasers?.({} as never) ?? {}), ['consent_ledger']);
  });
});
