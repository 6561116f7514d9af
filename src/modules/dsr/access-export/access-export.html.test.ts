import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../../../lib/clock.ts';
import { forEachDialect } from '../../../../test/helpers/db.ts';
import { testApp, type TestApp } from '../../../../test/helpers/app.ts';
import { runJobs } from '../../../../test/helpers/jobs.ts';
import { LINK_QUEUE } from '../requests/requests.intake.ts';
import { renderExportHtml, type ExportReading } from './access-export.html.ts';
import type { AccessExport, ExportConsentEntry } from './access-export.model.ts';

const system = { type: 'system' as const, id: null };
const ORG = {
  name: 'Example Shop GmbH',
  postalAddress: 'Hauptstraße 1\n10115 Berlin',
  contactEmail: 'privacy@shop.example',
  privacyNoticeUrl: 'https://shop.example/privacy',
  dpo: { name: 'Dana Officer', email: 'dpo@shop.example' },
  supervisoryAuthority: { name: 'Berlin Data Protection Authority', url: 'https://authority.example/' },
};

forEachDialect('the access export page speaks plainly', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  before(async () => {
    t = await testApp(ctx.db, { clock });
  });
  after(async () => t.close());

  it('names lists and levels, says yes and no, states dates, leaves staff rows out, and gives the Art. 15 information', async () => {
    const s = t.services;
    const c = await s.contacts.create({ email: 'plain@example.com', firstName: 'Pia' });
    await s.consent.setLevel(c.id, 4, { source: 'form', actor: system, notice: 'Offers by email, weekly' });
    const weekly = await s.lists.create({ name: 'Weekly <News>' });
    const old = await s.lists.create({ name: 'Old offers' });
    await s.lists.join(c.id, weekly.id, { source: 'api', actor: system });
    await s.lists.join(c.id, old.id, { source: 'api', actor: system });
    await s.lists.leave(c.id, old.id, { source: 'api', actor: system });
    // A case with its task, and its link mail in the outbox: staff-internal rows about the person.
    await s.requestIntake.fromPublic({ type: 'access', email: 'plain@example.com' }, { ip: '10.0.0.1' });
    await runJobs(s, [LINK_QUEUE]);
    await s.settings.patch({
      organisation: ORG,
      timeZone: 'Europe/Berlin',
      smtp: { host: 'relay.mail.example', port: 587, secure: false, from: 'news@shop.example' },
    });

    const d = await s.accessExports.createDownload(c.id, { actor: system });
    const res = await t.app.inject({ method: 'GET', url: d.url.replace(/^https?:\/\/[^/]+/, '') });
    assert.equal(res.statusCode, 200);
    const page = res.body;
    const x = JSON.parse(
      (await t.app.inject({ method: 'GET', url: `${d.url.replace(/^https?:\/\/[^/]+/, '')}&format=json` })).body,
    ) as AccessExport;

    // Names, not ids or numbers.
    assert.ok(page.includes('joined list Weekly &lt;News&gt;'), 'the list joined, by name');
    assert.ok(page.includes('left list Old offers'), 'a list since left, by name');
    assert.ok(!page.includes(weekly.id) && !page.includes(old.id), 'no list id on the page');
    assert.ok(page.includes('consent level (none) (level 0) → Marketing (level 4)'), page.match(/consent level[^<]*/)?.[0]);
    assert.match(page, /<th scope="row">Consent level<\/th><td>Marketing \(level 4\)<\/td>/);
    // Yes and no.
    assert.match(page, /<th scope="row">Is child<\/th><td>no<\/td>/);
    // Dates as dates, in the installation's time zone.
    assert.ok(
      page.includes('>10 March 2026 at 13:00 CET<') || page.includes('>10 March 2026, 13:00 CET<'),
      page.match(/<time[^>]*>[^<]*/)?.[0],
    );
    assert.doesNotMatch(page, />\d{4}-\d{2}-\d{2}T/, 'no raw instant shown as text');
    // Captions and header scopes on every table.
    const tables = page.match(/<table>/g)?.length ?? 0;
    assert.ok(tables > 2);
    assert.equal(page.match(/<table><caption>/g)?.length, tables);
    assert.equal(page.match(/<th(?![^>]*scope=)/g), null, 'every header cell has a scope');
    // Staff-internal rows: in the JSON, not on the page.
    assert.ok(x.tables.tasks!.rows.length > 0 && x.tables.outbox!.rows.length > 0, 'the JSON is complete');
    assert.doesNotMatch(page, /id="t-tasks"|id="t-outbox"/);
    assert.ok(page.includes('left out of this page and are in the machine-readable copy'));
    // Art. 15: controller, DPO, purposes, retention, recipients, the right to complain.
    for (const text of [
      'Example Shop GmbH',
      'Hauptstraße 1<br>10115 Berlin',
      'privacy@shop.example',
      'Dana Officer, dpo@shop.example',
      '<a href="https://shop.example/privacy">',
      'Why we hold your data',
      'marketing',
      'relay.mail.example',
      '<a href="https://authority.example/">Berlin Data Protection Authority</a>',
      'You may ask us to correct your data, to erase it',
    ])
      assert.ok(page.includes(text), text);
    assert.match(page, /Why: [^<]+\. Kept: (until you ask us to erase it|\d+ \w+ from [a-z ]+)/);
  });
});

// Markup in every field the page shows, from the export and from what it reads beside it.
const markup = fc.constantFrom('<x-mark>', '"><x-mark a="', "'><x-mark/>", '</table><x-mark>', '<script>x-mark</script>', '&lt;x-mark&gt;');
const hostile = fc
  .tuple(fc.string({ maxLength: 6, unit: 'grapheme' }), markup, fc.string({ maxLength: 6 }))
  .map(([a, m, b]) => `${a}${m}${b}`);
const instantOr = fc.oneof(hostile, fc.constant('2026-03-10T12:00:00.000Z'), fc.constant('2026-03-10'));

const entry = fc.record({
  id: hostile,
  seq: fc.integer(),
  at: instantOr,
  kind: fc.oneof(hostile, fc.constantFrom('level', 'list_join', 'list_leave', 'birth_date', 'guardian', 'child_flag')),
  listId: fc.option(hostile),
  oldValue: fc.option(fc.integer({ min: 0, max: 5 })),
  newValue: fc.option(fc.integer({ min: 0, max: 5 })),
  oldText: fc.option(instantOr),
  newText: fc.option(instantOr),
  source: fc.option(hostile),
  actor: fc.record({ type: fc.option(hostile), id: fc.option(hostile) }),
  evidence: fc.record({ ip: fc.option(hostile), userAgent: fc.option(hostile) }),
  notice: fc.option(fc.record({ hash: hostile, text: fc.option(hostile) })),
  imported: fc.option(fc.record({ at: instantOr, source: fc.option(hostile) })),
  erased: fc.boolean(),
}) as fc.Arbitrary<ExportConsentEntry>;

const cell = fc.oneof(hostile, instantOr, fc.integer({ min: 0, max: 5 }), fc.constant(null), fc.dictionary(hostile, hostile));

it('escapes markup in every field of the export and of what the page reads beside it', () => {
  fc.assert(
    fc.property(
      fc.record({
        table: hostile,
        description: hostile,
        column: hostile,
        category: fc.oneof(hostile, fc.constantFrom('consent.level', 'contact.subscription.list', 'contact.minor.flag')),
        rows: fc.array(fc.dictionary(hostile, cell), { maxLength: 3 }),
        value: cell,
        entries: fc.array(entry, { maxLength: 4 }),
        names: fc.array(hostile, { minLength: 3, maxLength: 3 }),
        section: hostile,
        org: fc.record({
          name: hostile,
          postalAddress: fc.option(hostile),
          contactEmail: fc.option(hostile),
          privacyNoticeUrl: fc.option(hostile),
          dpo: fc.option(fc.record({ name: hostile, email: fc.option(hostile) })),
          supervisoryAuthority: fc.option(fc.record({ name: hostile, url: fc.option(hostile) })),
        }),
        purpose: hostile,
        retentionFrom: hostile,
        href: hostile,
      }),
      (v) => {
        const rows = [...v.rows, { [v.column]: v.value }];
        const x: AccessExport = {
          schema: 'assent.access-export',
          version: 1,
          generatedAt: v.names[0]!,
          subject: { contactId: v.names[1]!, email: v.names[2]!, contactIds: [] },
          dataHeld: false,
          tables: {
            [v.table]: { description: v.description, columns: { [v.column]: { category: v.category, personal: true } }, rows },
            other: { description: v.description, columns: { [v.column]: { category: v.category, personal: true } }, rows: [rows[0]!] },
          },
          consentHistory: v.entries,
          lists: [{ listId: v.names[0]!, name: v.names[1]!, joinedAt: v.names[2]! }],
          segments: [{ id: v.names[0]!, name: v.names[1]!, kind: v.names[2]! }],
          segmentsNotEvaluated: [{ id: v.names[0]!, name: v.names[1]!, kind: v.names[2]!, reason: v.section }],
          [v.section]: v.value,
        };
        const reading: ExportReading = {
          // Both languages over the runs: every word of either goes round the same escaping.
          lang: v.table.length % 2 ? 'de' : 'en',
          levelNames: Object.fromEntries([0, 1, 2, 3, 4, 5].map((n) => [n, v.names[n % 3]!])),
          listNames: Object.fromEntries(v.entries.flatMap((e) => (e.listId ? [[e.listId, v.names[0]!]] : []))),
          timeZone: 'Europe/Berlin',
          organisation: v.org as ExportReading['organisation'],
          tables: { [v.table]: { purposes: [v.purpose], retention: { after: 'P30D', from: v.retentionFrom } } },
          recipients: [v.names[1]!],
        };
        const page = renderExportHtml(x, { jsonHref: v.href, reading });
        assert.ok(!page.includes('<x-mark'), 'no tag from the data');
        assert.ok(!/<script/i.test(page), 'no script');
        assert.ok(!/ a="/.test(page), 'no attribute from the data');
      },
    ),
    { numRuns: 300 },
  );
});
