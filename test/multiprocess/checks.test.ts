// The harness's shared checks must be able to fail: each is shown a database that breaks what
// it guards (and one that does not), in this process, without starting servers.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { SYSTEM_ACTOR } from '../../src/modules/audit/audit.model.ts';
import { createServices, type Services } from '../../src/services.ts';
import { forEachDialect } from '../helpers/db.ts';
import { erasedAddressesStayGone, erasedLeavesNothing, invariantProblems, ledgerValuesChain, type Checked } from './checks.ts';
import { HARNESS_SECRET, type Erased } from './installation.ts';

forEachDialect('multi-process harness checks', (ctx) => {
  let s: Services;
  let checked: Checked;
  const erased: Erased = { contactIds: new Set(), emails: new Set() };
  const ctxOf = { source: 'api', actor: { type: 'api_key', id: null } } as const;
  before(async () => {
    const env = { DATABASE_URL: ctx.url, ASSENT_SECRET: HARNESS_SECRET };
    s = createServices(loadConfig(env), ctx.db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
    checked = { url: ctx.url, db: ctx.db, services: s, env: () => env, erased };
  });
  after(async () => s.mail.close());

  it('pass on what the product itself did: changes, and an erasure that left nothing', async () => {
    const kept = await s.contacts.create({ email: 'kept@example.com' }, ctxOf);
    await s.consent.setLevel(kept.id, 3, ctxOf);
    await s.consent.setLevel(kept.id, 1, ctxOf);
    const gone = await s.contacts.create({ email: 'gone@example.com', firstName: 'Zoë' }, ctxOf);
    await s.consent.setLevel(gone.id, 4, ctxOf);
    await s.erasure.erase({ contactIds: [gone.id] }, { actor: SYSTEM_ACTOR });
    erased.contactIds.add(gone.id);
    erased.emails.add('gone@example.com');
    assert.deepEqual(await invariantProblems(checked), []);
  });

  it('find a ledger entry whose old value is not the value it replaced', async () => {
    const c = await s.contacts.create({ email: 'raced@example.com' }, ctxOf);
    await s.consent.setLevel(c.id, 2, ctxOf);
    // What two unlocked reads of one contact make: both entries say they replaced the same value.
    await ctx.db.kysely
      .transaction()
      .execute((trx) => s.ledger.append(trx, [{ contactId: c.id, kind: 'level', oldValue: 0, newValue: 5, ctx: ctxOf }]));
    const problems = await ledgerValuesChain(ctx.db);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^1 ledger entries whose old value/);
  });

  it('find rows left of an erased contact, and the address anywhere', async () => {
    const c = await s.contacts.create({ email: 'leftover@example.com' }, ctxOf);
    await s.consent.setLevel(c.id, 2, ctxOf);
    const probe = { ...checked, erased: { contactIds: new Set([c.id]), emails: new Set(['leftover@example.com']) } };
    const problems = await erasedLeavesNothing(probe);
    assert.ok(
      problems.some((p) => p.startsWith('contacts.id: 1 rows')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('consent_ledger.contact_id:')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('the residue scan finds erased addresses or contact ids in') && p.includes('contacts.email')),
      problems.join('\n'),
    );
  });

  it('find a ledger entry written about a contact after its erasure, in the map and by the residue scan', async () => {
    const c = await s.contacts.create({ email: 'late@example.com' }, ctxOf);
    await s.consent.setLevel(c.id, 2, ctxOf);
    await s.erasure.erase({ contactIds: [c.id] }, { actor: SYSTEM_ACTOR });
    const probe = { ...checked, erased: { contactIds: new Set([c.id]), emails: new Set(['late@example.com']) } };
    assert.deepEqual(await erasedLeavesNothing(probe), []);
    // A consent change that committed after the erasure: its entry names the contact by id alone.
    await ctx.db.kysely.transaction().execute((trx) =>
      s.ledger.append(trx, [
        {
          contactId: c.id,
          kind: 'level',
          oldValue: 2,
          newValue: 4,
          ctx: { ...ctxOf, evidence: { ip: '198.51.100.7', userAgent: 'Late' } },
        },
      ]),
    );
    const problems = await erasedLeavesNothing(probe);
    assert.ok(
      problems.some((p) => p.startsWith('consent_ledger.contact_id: 1 rows')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /^the residue scan finds erased addresses or contact ids in .*consent_ledger\.contact_id/.test(p)),
      problems.join('\n'),
    );
  });

  it('find a contact that holds an erased address: one the case erased, or one the suppression list holds', async () => {
    await s.contacts.create({ email: 'back@example.com' }, ctxOf);
    await ctx.db.kysely
      .insertInto('suppressions')
      .values({
        email_hmac: await s.secret.emailHash('back@example.com'),
        reason: 'erased',
        request_id: null,
        created_at: new Date().toISOString(),
      })
      .execute();
    assert.equal((await erasedAddressesStayGone(checked)).length, 1);
    await s.contacts.create({ email: 'again@example.com' }, ctxOf);
    const probe = { ...checked, erased: { contactIds: new Set<string>(), emails: new Set(['again@example.com']) } };
    assert.match((await erasedAddressesStayGone(probe))[0]!, /^2 contacts hold an erased address/);
  });
});
