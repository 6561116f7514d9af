import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type TestApp, testApp } from '../../../test/helpers/app.ts';
import { forEachDialect } from '../../../test/helpers/db.ts';
import { t as say } from '../../i18n/catalogue.ts';
import { FakeClock } from '../../lib/clock.ts';
import { escapeHtml } from '../../lib/html.ts';
import { newId } from '../../lib/ids.ts';
import { PORTAL_TTL_MS, portalUrl } from '../email/links.ts';
import { explanationLines, type LeadScoreExplanation, scoringPortalSection } from './portal.section.ts';

const BASE = 'https://news.example.org';
const HOSTILE = '<script>alert("x")</script>&amp;“Deal”';

forEachDialect('the privacy portal: how we score you', (ctx) => {
  let t: TestApp;
  const clock = new FakeClock('2026-11-02T09:00:00.000Z');
  const models: Record<'fit' | 'strict', string> = { fit: '', strict: '' };
  let scored: string;
  let plain: string;

  const page = async (contactId: string, lang?: string) => {
    const url = new URL(portalUrl(BASE, await t.services.secret.key(), contactId, new Date(clock.now().getTime() + PORTAL_TTL_MS)));
    const r = await t.app.inject({ method: 'GET', url: `${url.pathname}${lang ? `?lang=${lang}` : ''}` });
    assert.equal(r.statusCode, 200, r.body);
    return r.body;
  };

  before(async () => {
    t = await testApp(ctx.db, { clock });
    await t.services.settings.patch({ publicBaseUrl: BASE });
    const at = clock.now().toISOString();
    for (const [key, name] of [
      ['fit', `Fit ${HOSTILE}`],
      ['strict', 'Strict'],
    ] as const) {
      models[key] = newId();
      await ctx.db.kysely
        .insertInto('scoring_models')
        .values({
          id: models[key],
          name,
          required_level: key === 'strict' ? 5 : null,
          required_purpose: key === 'strict' ? null : 'profiling',
          rules: '[]',
          grades: '{"A":80,"B":60,"C":40,"D":20}',
          sales_ready: 70,
          version: 1,
          created_at: at,
          updated_at: at,
          recompute_job_id: null,
          recompute_total: null,
          recompute_done: null,
          recompute_started_at: null,
          recompute_finished_at: null,
        })
        .execute();
    }
    scored = (await t.services.contacts.create({ email: 'scored@example.com' })).id;
    plain = (await t.services.contacts.create({ email: 'plain@example.com' })).id;
    const leadId = newId();
    await ctx.db.kysely
      .insertInto('leads')
      .values({
        id: leadId,
        contact_id: scored,
        title: HOSTILE,
        status: 'open',
        owner_id: null,
        value: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const row = { lead_id: leadId, contact_id: scored, model_version: 1, computed_at: at };
    await ctx.db.kysely
      .insertInto('lead_scores')
      .values([
        { ...row, model_id: models.fit, score: 72, grade: 'B', sales_ready: 1, reason: 'allowed', ready_at: at },
        { ...row, model_id: models.strict, score: null, grade: null, sales_ready: 0, reason: 'below_required_level', ready_at: null },
      ])
      .execute();
  });
  after(() => t.close());

  it('shows per lead and model the score, grade and sales-readiness, or the reason in words, escaped, in English and German', async () => {
    const en = await page(scored);
    assert.ok(en.includes(`>${escapeHtml(say('en', 'portal.scoring.heading'))}</h2>`), 'the section is there');
    assert.ok(!en.includes('<script>alert'), 'every value escaped');
    assert.ok(en.includes(escapeHtml(say('en', 'portal.scoring.item', { lead: HOSTILE, model: `Fit ${HOSTILE}` }))));
    assert.ok(en.includes(escapeHtml(say('en', 'portal.scoring.score', { score: 72 }))));
    assert.ok(en.includes(escapeHtml(say('en', 'portal.scoring.grade', { grade: 'B' }))));
    assert.ok(en.includes(escapeHtml(say('en', 'portal.scoring.salesReady'))));
    const why = say('en', 'portal.scoring.notScored', { reason: say('en', 'portal.scoring.reason.below_required_level') });
    assert.ok(en.includes(escapeHtml(why)), 'the gate’s reason in words');
    const de = await page(scored, 'de');
    assert.ok(de.includes(escapeHtml(say('de', 'portal.scoring.heading'))));
    assert.ok(de.includes(escapeHtml(say('de', 'portal.scoring.reason.below_required_level'))));
    assert.notEqual(say('de', 'portal.scoring.heading'), say('en', 'portal.scoring.heading'));
  });

  it('says nothing of scoring to a person without leads', async () => {
    const body = await page(plain);
    assert.ok(!body.includes(escapeHtml(say('en', 'portal.scoring.heading'))));
    assert.ok(body.includes(escapeHtml(say('en', 'portal.title'))));
  });

  it('with the engine’s explanation: each rule that gave points in words, window and decay; the lines name every rule', async () => {
    const x: LeadScoreExplanation = {
      modelId: models.fit,
      modelName: 'Fit',
      score: 35,
      grade: 'D',
      salesReady: false,
      reason: 'allowed',
      computedAt: clock.now().toISOString(),
      rules: [
        {
          name: 'In ' + 'Germany',
          kind: 'condition',
          points: 10,
          rulePoints: 10,
          window: null,
          atLeast: null,
          counted: null,
          latestAt: null,
          decayDays: null,
        },
        {
          name: 'Pricing ✓',
          kind: 'behaviour',
          points: 25,
          rulePoints: 50,
          window: { withinDays: 30 },
          atLeast: 2,
          counted: 3,
          latestAt: '2026-10-20T08:00:00.000Z',
          decayDays: 26,
        },
      ],
    };
    for (const lang of ['en', 'de']) {
      const lines = explanationLines(lang, x);
      assert.ok(lines.some((l) => l.includes('In Germany') && l.includes('10')));
      const rule = lines.find((l) => l.includes('Pricing ✓'))!;
      for (const n of ['25', '3', '2', '30', '26', '50']) assert.ok(rule.includes(n), `${lang}: ${n} in ${rule}`);
      assert.ok(lines.includes(say(lang, 'portal.scoring.sum')));
    }
    const section = scoringPortalSection(ctx.db, { explain: async () => [x] });
    const part = await section.read([scored], 'en');
    assert.equal(part?.items.length, 1);
    assert.equal(await section.read([plain], 'en'), null);
    assert.equal(await section.read([], 'en'), null);
  });
});
