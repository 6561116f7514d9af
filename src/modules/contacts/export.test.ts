import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect, freshDatabase, type ScratchDb } from '../../../test/helpers/db.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import type { Contact } from './contacts.model.ts';

const actor = { type: 'cli', id: null } as const;

async function servicesOn(db: ScratchDb['db'], clock: FakeClock): Promise<Services> {
  const s = createServices(loadConfig({}), db, clock, createLogger('silent'));
  await s.settings.ensureDefaults();
  return s;
}

async function collect(gen: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of gen) out.push(c);
  return out;
}

/** What an export carries over: everything but ids, guardian links and timestamps. */
const portable = (c: Contact) => {
  const { id: _id, guardianId: _g, guardianConsent: _gc, createdAt: _c, updatedAt: _u, ...rest } = c;
  return rest;
};

forEachDialect('contact export', (ctx) => {
  const clock = new FakeClock('2026-04-01T09:00:00.000Z');
  let s: Services;
  let other: ScratchDb;
  before(async () => {
    s = await servicesOn(ctx.db, clock);
    other = await freshDatabase(ctx.dialect);
  });
  after(async () => other?.drop());

  it('exports every contact page by page, and importing the export into a fresh database reproduces them', async () => {
    for (const [name, type] of [
      ['score', 'number'],
      ['member', 'boolean'],
      ['since', 'date'],
      ['notes', 'text'],
    ] as const)
      await s.customFields.define({ name, type, personal: false });
    const made = [
      await s.contacts.create({
        email: 'Full@Example.com',
        firstName: 'Ana',
        lastName: 'Lima, Jr.',
        phone: '+351 21 000',
        company: 'A "quoted" Co',
        country: 'PT',
        language: 'pt-BR',
        timeZone: 'america/sao_paulo',
        birthDate: '1980-02-29',
        customFields: { score: 1.5, member: true, since: '2020-01-01', notes: 'two\nlines, and "quotes"' },
      }),
      await s.contacts.create({ email: 'bare@example.com' }),
      await s.contacts.create({ email: 'kid@example.com', birthDate: '2016-06-01', customFields: { member: false, notes: '  padded  ' } }),
      await s.contacts.create({ email: 'flag@example.com', isChild: true, firstName: 'Zoë' }),
    ];
    await s.consent.setLevel(made[0]!.id, 5, { source: 'admin', actor: { type: 'user', id: null } });
    await s.consent.setLevel(made[2]!.id, 2, { source: 'admin', actor: { type: 'user', id: null } });

    const chunks = await collect(s.exports.csv({ pageSize: 3 }));
    assert.equal(chunks.length, 3, 'a header and two pages of at most 3 contacts');
    assert.equal(
      chunks[0],
      'id,email,firstName,lastName,phone,company,country,language,timeZone,birthDate,isChild,guardianId,guardianConsent,consentLevel,' +
        'customFields.member,customFields.notes,customFields.score,customFields.since,createdAt,updatedAt\n',
    );

    const target = await servicesOn(other.db, clock);
    for (const [name, type] of [
      ['score', 'number'],
      ['member', 'boolean'],
      ['since', 'date'],
      ['notes', 'text'],
    ] as const)
      await target.customFields.define({ name, type, personal: false });
    const r = await target.imports.importCsv(chunks, { actor, mayChangeConsent: true });
    assert.deepEqual([r.created, r.updated, r.rejected], [4, 0, []]);
    assert.deepEqual(r.ignoredColumns, ['id', 'guardianId', 'guardianConsent', 'createdAt', 'updatedAt']);

    const original = (await s.contacts.list({}, 100)).map(portable);
    const copied = (await target.contacts.list({}, 100)).map(portable);
    const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : 1);
    assert.deepEqual(copied.sort(byEmail), original.sort(byEmail));
    // The child by birth date alone is not flagged by the round trip: the flag is exported as stored.
    assert.equal((await target.contacts.findByEmail('kid@example.com'))!.isChild, true);
    const kidRow = await other.db.kysely
      .selectFrom('contacts')
      .select('is_child')
      .where('email', '=', 'kid@example.com')
      .executeTakeFirstOrThrow();
    assert.equal(kidRow.is_child, 0);
    assert.equal((await target.ledger.verify()).ok, true);
  });

  it('--segment exports only the members of a dynamic or static segment, and refuses an unknown one', async () => {
    const pt = await s.segments.create({ name: 'Portugal', kind: 'dynamic', filter: { field: 'country', op: '=', value: 'PT' } });
    const high = await s.segments.create({ name: 'Level 5 then', kind: 'static', filter: { consent: { atLeast: 5 } } });
    const emails = async (segmentId: string) =>
      (await collect(s.exports.csv({ segmentId, pageSize: 1 })))
        .slice(1)
        .map((chunk) => chunk.split(',')[1])
        .sort();
    assert.deepEqual(await emails(pt.id), ['Full@example.com']);
    await s.contacts.create({ email: 'pt2@example.com', country: 'PT' });
    assert.deepEqual(await emails(pt.id), ['Full@example.com', 'pt2@example.com'], 'a dynamic segment is evaluated at export time');
    const five = await s.contacts.create({ email: 'five@example.com' });
    await s.consent.setLevel(five.id, 5, { source: 'admin', actor: { type: 'user', id: null } });
    assert.deepEqual(await emails(high.id), ['Full@example.com'], 'a static segment exports its snapshot');
    await assert.rejects(
      collect(s.exports.csv({ segmentId: '00000000-0000-7000-8000-000000000000' })),
      (e: { code?: string }) => e.code === 'not_found',
    );
  });

  it('an empty installation exports the header alone', async () => {
    const fresh = await freshDatabase(ctx.dialect);
    try {
      const chunks = await collect((await servicesOn(fresh.db, clock)).exports.csv());
      assert.deepEqual(chunks, [
        'id,email,firstName,lastName,phone,company,country,language,timeZone,birthDate,isChild,guardianId,guardianConsent,consentLevel,' +
          'createdAt,updatedAt\n',
      ]);
    } finally {
      await fresh.drop();
    }
  });
});
