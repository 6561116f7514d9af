import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { isAppError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';

/**
 * Who is a child is decided once (the gate's isChild). The contact as shown, the gate's answer
 * and the guardian check must agree on every side of the majority cut-off, for any majority age.
 */
forEachDialect('the child rule, wherever it is asked', (ctx) => {
  const clock = new FakeClock('2028-02-29T12:00:00.000Z');
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });
  after(async () => s.close());

  it('the contact view, the gate and the guardian check agree on every side of the cut-off', async () => {
    let i = 0;
    for (const majorityAge of [16, 18]) {
      await s.settings.patch({ majorityAge });
      const y = 2028 - majorityAge;
      const cases: { isChild?: boolean; birthDate?: string; child: boolean }[] = [
        { child: false },
        { isChild: true, child: true },
        { birthDate: `${y}-02-27`, child: false },
        // The last day of February, the cut-off itself: that many years old today.
        { birthDate: y % 4 === 0 ? `${y}-02-29` : `${y}-02-28`, child: false },
        { birthDate: `${y}-03-01`, child: true },
        { birthDate: '2027-12-31', child: true },
        { birthDate: '1950-01-01', child: false },
      ];
      for (const c of cases) {
        const { child, ...input } = c;
        const made = await s.contacts.create({ email: `child.rule.${i++}@example.org`, ...input });
        const shown = (await s.contacts.get(made.id)).isChild;
        const gate = await s.consent.check(made.id, 'profiling');
        const asGuardian = await s.contacts.create({ email: `ward.${i++}@example.org`, guardianId: made.id }).then(
          () => 'accepted',
          (e: unknown) => (isAppError(e) && e.code === 'validation_failed' ? 'refused' : Promise.reject(e)),
        );
        const label = `${majorityAge} ${JSON.stringify(input)}`;
        assert.equal(shown, child, label);
        assert.equal(gate.reason === 'child_never_profiled', child, label);
        assert.equal(asGuardian, child ? 'refused' : 'accepted', label);
      }
    }
  });
});
