import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/log.ts';
import { consent } from '../src/modules/consent/module.ts';
import { MODULES } from '../src/modules/index.ts';
import { lists } from '../src/modules/lists/module.ts';
import { defineModule } from '../src/modules/module.ts';
import { segments } from '../src/modules/segments/module.ts';
import { composeServices } from '../src/services.ts';
import { onOneDatabase } from './helpers/db.ts';

// The access export's sections beyond the data map's tables are declared by the modules that
// own the data (the ledger, list and segment memberships): each key of the export belongs to
// one module, and the export reads them from the core without knowing those modules.
onOneDatabase('module export sections', (ctx) => {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:' });
  const compose = (...extra: ReturnType<typeof defineModule>[]) =>
    composeServices([...MODULES, ...extra], config, ctx.db, systemClock, createLogger('silent'));
  const section = (key: string) => ({ keys: [key], read: async () => ({ values: { [key]: [] }, dataHeld: false }) });

  it('refuses a section key another module already fills', () => {
    const intruder = defineModule({
      name: 'intruder',
      needs: [],
      dataMap: [],
      create: () => ({}),
      exportSections: () => [section('lists')],
    });
    assert.throws(() => compose(intruder), /intruder offers the export section lists, which lists already offers/);
  });

  it('refuses a key twice within one module, and between two added modules', () => {
    const twice = defineModule({
      name: 'twice',
      needs: [],
      dataMap: [],
      create: () => ({}),
      exportSections: () => [section('notes'), section('notes')],
    });
    assert.throws(() => compose(twice), /twice offers the export section notes, which twice already offers/);
    const a = defineModule({ name: 'a', needs: [], dataMap: [], create: () => ({}), exportSections: () => [section('notes')] });
    const b = defineModule({ name: 'b', needs: [], dataMap: [], create: () => ({}), exportSections: () => [section('notes')] });
    assert.throws(() => compose(a, b), /b offers the export section notes, which a already offers/);
  });

  it('refuses a section over one of the export’s own keys when an export is built', async () => {
    const s = compose(
      defineModule({ name: 'clash', needs: [], dataMap: [], create: () => ({}), exportSections: () => [section('tables')] }),
    );
    await s.settings.ensureDefaults();
    await assert.rejects(
      s.accessExports.buildForEmail('someone@example.com'),
      /the export section tables takes one of the export's own keys/,
    );
  });

  it('refuses a section that does not fill a key it declared', async () => {
    const s = compose(
      defineModule({
        name: 'forgetful',
        needs: [],
        dataMap: [],
        create: () => ({}),
        exportSections: () => [{ keys: ['notes'], read: async () => ({ values: {}, dataHeld: false }) }],
      }),
    );
    await assert.rejects(s.accessExports.buildForEmail('someone@example.com'), /export section notes/);
  });

  it('a section says whether what it read counts as data held', async () => {
    const saying = (held: boolean) =>
      defineModule({
        name: 'saying',
        needs: [],
        dataMap: [],
        create: () => ({}),
        exportSections: () => [{ keys: ['said'], read: async () => ({ values: { said: 'something' }, dataHeld: held }) }],
      });
    for (const held of [true, false]) {
      const s = compose(saying(held));
      await s.settings.ensureDefaults();
      const x = await s.accessExports.buildForEmail('nobody@example.com');
      assert.deepEqual([x.said, x.dataHeld], ['something', held]);
    }
  });

  it('the consent, lists and segments modules fill the export’s sections, in the order of the format', () => {
    const keys = [consent, lists, segments].flatMap((m) => (m.exportSections?.({} as never) ?? []).flatMap((x) => x.keys));
    assert.deepEqual(keys, ['consentHistory', 'lists', 'segments', 'segmentsNotEvaluated']);
  });
});
