import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../../test/helpers/db.ts';
import { loadConfig } from '../../../config.ts';
import { systemClock } from '../../../lib/clock.ts';
import { createLogger } from '../../../lib/log.ts';
import { CLI_ACTOR } from '../../audit/audit.model.ts';
import { createServices, type Services } from '../../../services.ts';
import { identifiersOf } from './residue.model.ts';

// Issue 10, defect 3: a ledger entry (or any row) written about a contact after its erasure holds
// the contact id, not an address or a name. The residue scan looks for the erased contact ids too:
// in every column that holds contact ids (declared or not, by the data map or by name) and in
// the map's free text. Ids kept by design where they are no link to a person (the audit log's
// targets) are not residue.
forEachDialect('residue scan: erased contact ids', (ctx) => {
  let s: Services;
  before(async () => {
    s = createServices(loadConfig({}), ctx.db, systemClock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });
  after(() => s.close());

  const api = { source: 'api' as const, actor: { type: 'api_key' as const, id: null } };

  it(
    'an entry appended behind an erasure, an undeclared contact-id column and free text naming the id are found; a clean erasure ' +
      'finds nothing',
    async () => {
      const gone = await s.contacts.create({ email: 'ids.gone@example.com', firstName: 'Ida', lastName: 'Gonzales' }, api);
      const stays = await s.contacts.create({ email: 'ids.stays@example.com' }, api);
      await s.consent.setLevel(gone.id, 3, api);
      await s.consent.setLevel(stays.id, 2, api);
      await s.audit.record({ actor: CLI_ACTOR, action: 'contact.view', targetType: 'contact', targetId: gone.id, outcome: 'ok' });
      const r = await s.erasure.erase({ contactIds: [gone.id] }, { actor: CLI_ACTOR });
      assert.equal(r.complete, true, `a clean erasure is complete (the audit log's target ids are not residue): ${r.residue.join(', ')}`);
      const ids = { ...identifiersOf({ email: 'ids.gone@example.com' }), contactIds: [gone.id] };
      assert.deepEqual(await s.erasure.scanner.scanDatabase(ids), []);

      // What a consent change committed after the erasure left before the fix: a full entry.
      await ctx.db.kysely.transaction().execute((t) =>
        s.ledger.append(t, [
          {
            contactId: gone.id,
            kind: 'level',
            oldValue: 3,
            newValue: 1,
            ctx: { ...api, evidence: { ip: '203.0.113.9', userAgent: 'Late client' } },
          },
        ]),
      );
      // The entry and the consent.changed event its append published.
      assert.deepEqual(await s.erasure.scanner.scanDatabase(ids), ['consent_ledger.contact_id', 'events.contact_id']);

      // A table nobody declared, its contact column named as the house names them; and free text
      // (a notice is never rewritten) that quotes the id.
      await sql`create table side_notes (id text primary key, owner_contact_id text, body text)`.execute(ctx.db.kysely);
      try {
        await sql`insert into side_notes (id, owner_contact_id, body) values
        ('n1', ${gone.id}, 'nothing'), ('n2', ${stays.id}, 'nothing')`.execute(ctx.db.kysely);
        await s.ledger.putNotice(`Shown to contact ${gone.id.toUpperCase()} on the phone`);
        assert.deepEqual(await s.erasure.scanner.scanDatabase(ids), [
          'consent_ledger.contact_id',
          'events.contact_id',
          'notices.text',
          'side_notes.owner_contact_id',
        ]);
        // The other contact's id, held in the same places, is nobody's residue.
        assert.deepEqual(
          await s.erasure.scanner.scanDatabase({
            emails: [],
            phones: [],
            names: [],
            contactIds: [gone.id.replace(/.$/, (c) => (c === '0' ? '1' : '0'))],
          }),
          [],
        );
      } finally {
        await sql`drop table side_notes`.execute(ctx.db.kysely);
      }
    },
  );
});
