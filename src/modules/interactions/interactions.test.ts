import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { dumpDatabase } from '../../../test/helpers/snapshot.ts';
import { loadConfig } from '../../config.ts';
import { FakeClock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { createLogger } from '../../lib/log.ts';
import { createServices, type Services } from '../../services.ts';
import type { ChangeContext } from '../consent/consent.model.ts';
import type { EventInput } from './interactions.model.ts';

const api: ChangeContext = { source: 'api', actor: { type: 'system', id: null } };
const MESSAGE = '01900000-0000-7000-8000-0000000000aa';
const PAGE = '01900000-0000-7000-8000-0000000000bb';

forEachDialect('interactions service', (ctx) => {
  const clock = new FakeClock('2026-03-10T12:00:00.000Z');
  let s: Services;
  let n = 0;

  before(async () => {
    s = createServices(loadConfig({}), ctx.db, clock, createLogger('silent'));
    await s.settings.ensureDefaults();
  });

  const adult = async (level: number) => {
    const c = await s.contacts.create({ email: `adult${n++}@example.com` });
    if (level > 0) await s.consent.setLevel(c.id, level, api);
    return c.id;
  };
  const child = async () => {
    const guardian = await adult(5);
    const c = await s.contacts.create({ email: `child${n++}@example.com`, isChild: true, guardianId: guardian });
    await s.consent.setGuardianConsent(c.id, true, api);
    await s.consent.setLevel(c.id, 5, api);
    return c.id;
  };
  const rowsOf = async (contactId: string) =>
    (await sql<{ id: string }>`select id from interactions where contact_id = ${contactId}`.execute(ctx.db.kysely)).rows;
  const totalRows = async () =>
    Number((await sql<{ n: number }>`select count(*) as n from interactions`.execute(ctx.db.kysely)).rows[0]!.n);
  const stat = async (type: string, ref: string, day = '2026-03-10') =>
    Number(
      (
        await sql<{ count: number }>`select count from interaction_stats where day = ${day} and type = ${type} and ref = ${ref}`.execute(
          ctx.db.kysely,
        )
      ).rows[0]?.count ?? 0,
    );
  const click = (contactId: string, extra: Partial<EventInput> = {}): EventInput => ({
    type: 'email_clicked',
    contactId,
    messageId: MESSAGE,
    ...extra,
  });
  const refusal = async (p: Promise<unknown>, what = ''): Promise<{ index?: number; path?: string }> => {
    const e = await p.then(
      () => null,
      (x: unknown) => x,
    );
    assert.ok(e instanceof AppError && e.code === 'validation_failed', `${what}: expected validation_failed, got ${String(e)}`);
    return e.details as { index?: number; path?: string };
  };

  it('a click without profiling consent leaves no row linked to the contact, and the counters count it', async () => {
    const marketingOnly = await adult(4);
    const kid = await child();
    const profiled = await adult(5);
    const before = await totalRows();
    const countBefore = await stat('email_clicked', MESSAGE);
    const r = await s.interactions.ingest([click(marketingOnly), click(kid), click(profiled)]);
    assert.deepEqual(r, { accepted: 3, stored: 1, unlinked: 2 });
    assert.deepEqual(await rowsOf(marketingOnly), []);
    assert.deepEqual(await rowsOf(kid), []);
    assert.equal((await rowsOf(profiled)).length, 1);
    assert.equal(await totalRows(), before + 1, 'no row at all was added for the unconsented clicks');
    assert.equal(await stat('email_clicked', MESSAGE), countBefore + 3);
  });

  it('with data protection off an adult at level 0 is tracked, a child never', async () => {
    const nobody = await adult(0);
    const kid = await child();
    await s.settings.patch({ dataProtectionEnabled: false });
    try {
      await s.interactions.ingest([click(nobody), click(kid), { type: 'page_visited', contactId: kid, pageId: PAGE }]);
      assert.equal((await rowsOf(nobody)).length, 1);
      assert.deepEqual(await rowsOf(kid), []);
    } finally {
      await s.settings.patch({ dataProtectionEnabled: true });
    }
  });

  it('operational events are stored whatever the consent; custom events are behaviour unless marked otherwise', async () => {
    const nobody = await adult(0);
    const kid = await child();
    const events: EventInput[] = [];
    for (const id of [nobody, kid]) {
      events.push(
        { type: 'email_sent', contactId: id, messageId: MESSAGE },
        { type: 'email_bounced', contactId: id, messageId: MESSAGE },
        { type: 'form_submitted', contactId: id, pageId: PAGE },
      );
      events.push(
        { type: 'journey_entered', contactId: id, journeyId: newId() },
        { type: 'custom', name: 'invoice.paid', behavioural: false, contactId: id },
      );
      events.push({ type: 'custom', name: 'video.watched', contactId: id }, { type: 'email_opened', contactId: id, messageId: MESSAGE });
    }
    const r = await s.interactions.ingest(events);
    assert.deepEqual(r, { accepted: 14, stored: 10, unlinked: 4 });
    const list = await s.interactions.listForContact(nobody, {}, 50);
    assert.deepEqual(list.map((i) => i.type).sort(), ['custom', 'email_bounced', 'email_sent', 'form_submitted', 'journey_entered']);
    const custom = list.find((i) => i.type === 'custom')!;
    assert.equal(custom.name, 'invoice.paid');
    assert.equal(custom.ref, 'invoice.paid');
    assert.equal(await stat('custom', 'video.watched'), 2);
  });

  it('counters hold neither a contact nor a query string; the stored URL keeps only campaign parameters', async () => {
    const profiled = await adult(5);
    await s.interactions.ingest([
      {
        type: 'page_visited',
        contactId: profiled,
        url: 'https://jane:secret@Shop.Example.com/pricing?email=jane@example.com&utm=x&utm_source=news#frag',
      },
      { type: 'email_clicked', contactId: profiled, messageId: MESSAGE, url: 'https://shop.example.com/offer?token=abc' },
    ]);
    const stats = (await sql<Record<string, unknown>>`select * from interaction_stats`.execute(ctx.db.kysely)).rows;
    const text = JSON.stringify(stats);
    assert.doesNotMatch(text, /[?#@]|jane|secret|token|utm/);
    assert.ok(!text.includes(profiled));
    assert.equal(await stat('page_visited', 'https://shop.example.com/pricing'), 1);
    const [click1, visit] = await s.interactions
      .listForContact(profiled, {}, 10)
      .then((l) => [l.find((i) => i.type === 'email_clicked')!, l.find((i) => i.type === 'page_visited')!]);
    assert.equal(visit!.url, 'https://shop.example.com/pricing?utm_source=news');
    assert.equal(visit!.ref, 'https://shop.example.com/pricing', 'a URL-only visit is referenced by the URL without query');
    assert.equal(click1!.url, 'https://shop.example.com/offer');
    assert.equal(click1!.ref, MESSAGE, 'a click is referenced by its message');
  });

  it('refuses a batch whole, naming the first bad event, and writes nothing', async () => {
    const ok = await adult(5);
    const cases: [EventInput, string][] = [
      [click(newId()), '/contactId'],
      [{ type: 'email_sent', contactId: newId(), messageId: MESSAGE }, '/contactId'],
      [click(ok, { at: '2026-03-10T12:06:00Z' }), '/at'],
      [click(ok, { at: '1999-12-31T23:59:59Z' }), '/at'],
      [click(ok, { at: '2026-02-30T10:00:00Z' }), '/at'],
      [click(ok, { url: 'javascript:alert(1)' }), '/url'],
      [click(ok, { url: `https://example.com/${'a'.repeat(2000)}` }), '/url'],
      [click(ok, { properties: { blob: 'x'.repeat(2100) } }), '/properties'],
      [click(ok, { properties: { a: { b: { c: [1] } } } }), '/properties'],
      [{ type: 'custom', contactId: ok }, '/name'],
      [click(ok, { name: 'x' }), '/name'],
      [click(ok, { behavioural: false }), '/behavioural'],
    ];
    const before = await dumpDatabase(ctx.db);
    for (const [bad, path] of cases) {
      const d = await refusal(
        s.interactions.ingest([click(ok), click(ok, { properties: { a: { b: [1] } } }), bad, click(ok)]),
        JSON.stringify(bad),
      );
      assert.equal(d.index, 2, JSON.stringify(bad));
      assert.equal(d.path, path);
    }
    const stranger = newId();
    const first = await refusal(s.interactions.ingest([click(ok), { type: 'email_sent', contactId: stranger }, click(stranger)]));
    assert.equal(first.index, 1, 'the first event naming an unknown contact, whether behaviour or not');
    await refusal(s.interactions.ingest([]));
    await refusal(s.interactions.ingest(Array.from({ length: 10_001 }, () => click(ok))));
    assert.deepEqual(await dumpDatabase(ctx.db), before);
  });

  it('accepts time with offsets and the 5-minute skew, and counts by the UTC day', async () => {
    const ok = await adult(2);
    await s.interactions.ingest([
      { type: 'email_delivered', contactId: ok, messageId: MESSAGE, at: '2026-03-10T00:30:00+02:00' },
      { type: 'email_delivered', contactId: ok, messageId: MESSAGE, at: '2026-03-10T12:04:59.123456Z' },
    ]);
    assert.equal(await stat('email_delivered', MESSAGE, '2026-03-09'), 1);
    assert.equal(await stat('email_delivered', MESSAGE, '2026-03-10'), 1);
    const list = await s.interactions.listForContact(ok, { type: 'email_delivered' }, 10);
    assert.deepEqual(
      list.map((i) => i.at),
      ['2026-03-10T12:04:59.123Z', '2026-03-09T22:30:00.000Z'],
    );
  });

  it('writes batches larger than one statement, pages newest first, and keeps counters after erasure', async () => {
    const ids = [await adult(5), await adult(0)];
    const events: EventInput[] = Array.from({ length: 7000 }, (_, i) => ({
      type: Math.floor(i / 2) % 2 ? 'email_opened' : 'email_sent',
      contactId: ids[i % 2]!,
      messageId: PAGE,
      at: new Date(Date.parse('2026-03-01T00:00:00Z') + i * 1000).toISOString(),
    }));
    const r = await s.interactions.ingest(events);
    assert.deepEqual(r, { accepted: 7000, stored: 5250, unlinked: 1750 }, 'opens of the consenting contact, sends of both');
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await s.interactions.listForContact(ids[0]!, { type: 'email_sent' }, 1000, after);
      seen.push(...page.map((i) => i.at));
      if (page.length < 1000) break;
      after = page[page.length - 1]!.id;
    }
    assert.equal(seen.length, 1750);
    assert.deepEqual(seen, [...seen].sort().reverse());
    const stats = await s.interactions.stats({ from: '2026-03-01', to: '2026-03-01', type: 'email_opened' });
    assert.deepEqual(stats.data, [{ day: '2026-03-01', type: 'email_opened', ref: PAGE, count: 3500 }]);
    await s.contacts.delete(ids[0]!);
    assert.deepEqual(await rowsOf(ids[0]!), []);
    assert.deepEqual((await s.interactions.stats({ from: '2026-03-01', to: '2026-03-01', type: 'email_opened' })).data, stats.data);
  });

  it('stats default to the last 30 days and refuse a range over 366 days', async () => {
    const r = await s.interactions.stats({});
    assert.ok(r.data.every((x) => x.day >= '2026-02-09' && x.day <= '2026-03-10'));
    assert.ok(r.data.length > 0);
    await assert.rejects(s.interactions.stats({ from: '2025-03-09', to: '2026-03-10' }), (e: AppError) => e.code === 'validation_failed');
    await assert.rejects(s.interactions.stats({ from: '2026-03-11', to: '2026-03-10' }), (e: AppError) => e.code === 'validation_failed');
    assert.equal((await s.interactions.stats({ from: '2025-03-10', to: '2026-03-10' })).truncated, false);
  });
});
