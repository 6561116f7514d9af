import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices } from '../../services.ts';

const sys = { source: 'admin' as const, actor: { type: 'system', id: null } };
const DAY = 86_400_000;

forEachDialect('consent at a past time uses the child state recorded then', (ctx) => {
  it('a child made an adult later was a child before the change, by flag and by birth date', async () => {
    const clock = new FakeClock('2026-03-01T08:00:00.000Z');
    const s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
    const flagged = await s.contacts.create({ email: 'flagged@example.com', isChild: true });
    const born = await s.contacts.create({ email: 'born@example.com', birthDate: '2016-04-01' });
    const adult = await s.contacts.create({ email: 'adult@example.com' });
    for (const c of [flagged, born, adult]) await s.consent.setLevel(c.id, 5, sys);
    clock.advance(DAY);
    const whileChild = clock.now();
    clock.advance(DAY);
    await s.contacts.update(flagged.id, { isChild: false });
    await s.contacts.update(born.id, { birthDate: '1990-04-01' });
    // An adult flagged as a child later was an adult before.
    await s.contacts.update(adult.id, { isChild: true });
    clock.advance(DAY);
    const check = async (id: string, at?: Date) => (await s.consent.check(id, 'profiling', at ? { at } : {})).allowed;
    assert.deepEqual([await check(flagged.id), await check(flagged.id, whileChild)], [true, false]);
    assert.deepEqual([await check(born.id), await check(born.id, whileChild)], [true, false]);
    assert.deepEqual([await check(adult.id), await check(adult.id, whileChild)], [false, true]);
  });
});
