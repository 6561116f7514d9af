// Lead scoring in the console (issue 17 point 6): a marketer builds a model in the editor — a
// condition on the lead's value through the segment builder's components (first with a value the
// API refuses, shown at the condition it names), a behaviour rule counting a custom event — saves
// it, recomputes it and watches it finish, reads the distribution, ranks the leads by it, and opens
// a lead to read its explanation (each rule's points, summing to the score the API gives), and the
// lead of a contact who has not agreed to profiling, which says so in plain words. A viewer reads
// and changes nothing. Screens at 1280 and 390 px, light and dark, checked by axe; data through the API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  assertAccessible,
  BROWSER_DIALECTS,
  browserSkip,
  type ConsoleServer,
  logIn,
  openBrowser,
  type Session,
  screenshot,
  startConsoleServer,
} from './harness.ts';

interface World {
  contacts: Record<string, string>;
  leads: Record<string, string>;
}

async function makeWorld(server: ConsoleServer): Promise<World> {
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await server.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body?.data;
  };
  const contacts: Record<string, string> = {};
  // Ada agreed to profiling (level 5); Bea to marketing only (level 4): a model requiring profiling may not score her.
  for (const [email, level, first] of [
    ['ada@example.com', 5, 'Ada <i>L</i>'],
    ['bea@example.com', 4, 'Bea'],
  ] as const) {
    const c = await ok('POST', '/api/v1/contacts', { email, firstName: first });
    contacts[email] = c.id;
    await ok('PUT', `/api/v1/contacts/${c.id}/consent`, { level, source: 'admin', notice: 'Asked at the shop counter' });
  }
  const leads: Record<string, string> = {};
  leads.ada = (
    await ok('POST', '/api/v1/leads', { contactId: contacts['ada@example.com'], title: '50 seats <b>spring</b>', value: 12000 })
  ).id;
  leads.bea = (await ok('POST', '/api/v1/leads', { contactId: contacts['bea@example.com'], title: 'Small order', value: 15000 })).id;
  for (const email of ['ada@example.com', 'ada@example.com', 'bea@example.com'])
    await ok('POST', '/api/v1/interactions', { type: 'custom', contactId: contacts[email], name: 'demo.requested' });
  return { contacts, leads };
}

const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Takes out of the problems the refusals the flow asked for (each status at least once), failing on any other. */
function expectRefusals(s: Session, statuses: number[]): void {
  for (const n of statuses)
    assert.ok(
      s.problems.some((p) => p.includes(`status of ${n}`)),
      `a ${n} was asked for: ${s.problems.join('; ')}`,
    );
  s.problems.splice(0, s.problems.length, ...s.problems.filter((p) => !statuses.some((n) => p.includes(`status of ${n}`))));
}

for (const d of BROWSER_DIALECTS)
  describe(`console: scoring [${d.name}]`, { skip: browserSkip || d.skip }, () => {
    let server: ConsoleServer;
    let s: Session;
    let world: World;
    before(async () => {
      server = await startConsoleServer(d.name);
      world = await makeWorld(server);
      s = await openBrowser();
    });
    after(async () => {
      await s?.close();
      await server?.stop();
    });

    test('a marketer builds a model, recomputes it, and reads a lead’s explanation', async () => {
      const { page } = s;
      await logIn(page, server.base, await server.user('marketer'));
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scoring' }).click();
      await page.getByRole('heading', { name: 'No scoring models yet' }).waitFor();
      await assertAccessible(page, 'scoring, no models');
      await page.getByRole('link', { name: 'New model' }).click();
      await page.getByRole('heading', { name: 'New scoring model', level: 1 }).waitFor();
      await page.getByRole('textbox', { name: /^Name/ }).first().fill('Enterprise <i>interest</i>');
      // Profiling is what a new model requires unless chosen otherwise.
      assert.equal(await page.getByLabel('Required consent').inputValue(), 'purpose:profiling');

      // Rule 1: a condition on the lead's value, built with the segment builder.
      const r1 = page.locator('[data-rule="0"]');
      await r1.getByRole('textbox', { name: /^Name/ }).fill('Big deal');
      await r1.getByRole('spinbutton', { name: 'Points' }).fill('30');
      await r1.getByRole('button', { name: 'Add condition to the filter' }).click();
      await page.getByRole('menuitem', { name: 'Contact field' }).click();
      await page.getByRole('menu').waitFor({ state: 'detached' });
      // A title longer than the filter language allows: the API refuses it and names the place, which the editor marks.
      await r1.getByLabel('Field').selectOption('lead.title');
      await r1.getByLabel('Operator').selectOption('contains');
      await r1.getByLabel('Value').fill('x'.repeat(1001));

      // Rule 2: what they did.
      await page.getByRole('button', { name: 'Add a rule on what they did' }).click();
      const r2 = page.locator('[data-rule="1"]');
      await r2.getByRole('textbox', { name: /^Name/ }).fill('Asked for a demo');
      await r2.getByLabel('Interaction').selectOption('custom');
      await r2.getByLabel('Which one (optional)').fill('demo.requested');
      await r2.getByLabel('At least (times)').fill('2');
      await r2.getByLabel('Within (days)').fill('30');
      await r2.getByRole('spinbutton', { name: 'Points' }).fill('20');
      await page.getByRole('button', { name: 'Save model' }).click();
      await r1.getByText('Fix this to count and save').waitFor();
      assert.equal((await server.api('GET', '/api/v1/scoring-models')).body.data.length, 0, 'nothing saved');
      // validation_failed: a 400 or a 422, whichever the route answers; nothing else.
      const refused = [400, 422].filter((n) => s.problems.some((p) => p.includes(`status of ${n}`)));
      assert.equal(refused.length, 1, s.problems.join('; '));
      expectRefusals(s, refused);
      await assertAccessible(page, 'model editor, a problem at its condition');
      await screenshot(page, 'scoring-editor-problem-1280');

      await r1.getByLabel('Field').selectOption('lead.value');
      await r1.getByLabel('Operator').selectOption('>=');
      await r1.getByLabel('Value').fill('10000');
      await page.getByRole('button', { name: 'Save model' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const models = (await server.api('GET', '/api/v1/scoring-models')).body.data;
      assert.equal(models.length, 1);
      const model = models[0];
      assert.equal(model.name, 'Enterprise <i>interest</i>');
      assert.deepEqual(model.rules, [
        { name: 'Big deal', condition: { and: [{ field: 'lead.value', op: '>=', value: 10000 }] }, points: 30 },
        { name: 'Asked for a demo', behaviour: { type: 'custom', ref: 'demo.requested', atLeast: 2, withinDays: 30 }, points: 20 },
      ]);
      assert.equal(new URL(page.url()).pathname, `/admin/scoring/${model.id}`);

      // Saving queued a recompute; once it is done, recompute again by the button and watch it end.
      const state = page.getByTestId('recompute-state');
      await page.locator('[data-testid="recompute-state"][data-state="done"]').waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Recompute' }).click();
      // The answer shows it queued (the button waits meanwhile), the polling then shows it running and done.
      await page.locator('[data-testid="recompute-state"]:is([data-state="queued"], [data-state="running"])').waitFor();
      assert.ok(await page.getByRole('button', { name: 'Recompute' }).isDisabled(), 'no second recompute while one runs');
      await page.locator('[data-testid="recompute-state"][data-state="done"]').waitFor({ timeout: 60_000 });
      assert.match((await state.textContent()) ?? '', /Last computed/);
      const progress = (await server.api('GET', `/api/v1/scoring-models/${model.id}/recompute`)).body.recompute;
      assert.equal(progress.state, 'done');

      // The distribution: one lead scored (Ada's), Bea's not, for want of consent to profiling.
      const dist = (await server.api('GET', `/api/v1/scoring-models/${model.id}/distribution`)).body;
      await page
        .getByTestId('dist-scored')
        .filter({ hasText: String(dist.scored) })
        .waitFor();
      assert.equal(dist.scored, 1);
      await page.getByText('this person has not agreed to profiling').first().waitFor();
      await assertAccessible(page, 'model, recomputed, with its distribution');
      await screenshot(page, 'scoring-model-1280');

      // Ranked by the model: Ada's lead first with the API's score and grade.
      await page.getByRole('link', { name: 'Ranked leads' }).click();
      await page.getByRole('heading', { name: 'Leads', level: 1 }).waitFor();
      const ranking = (await server.api('GET', `/api/v1/scoring-models/${model.id}/leads`)).body.data;
      const first = ranking[0];
      assert.equal(first.leadId, world.leads.ada);
      const row = page.getByRole('row', { name: /50 seats <b>spring<\/b>/ });
      await row.getByRole('cell', { name: String(first.score), exact: true }).waitFor();
      await row.getByRole('cell', { name: first.grade ?? 'None', exact: true }).waitFor();
      await page
        .getByRole('row', { name: /Small order/ })
        .getByText('No consent')
        .waitFor();
      await assertAccessible(page, 'leads ranked by a model');
      await screenshot(page, 'scoring-ranked-1280');
      // The status filter works over the whole ranking (the API's `status`): Bea's lead qualified, only it shows.
      assert.equal((await server.api('PATCH', `/api/v1/leads/${world.leads.bea}`, { status: 'qualified' })).status, 200);
      await page.getByLabel('Status').selectOption({ label: 'Qualified' });
      await page.getByRole('row', { name: /50 seats/ }).waitFor({ state: 'detached' });
      await page.getByRole('row', { name: /Small order/ }).waitFor();
      await page.getByLabel('Status').selectOption({ label: 'Any status' });
      await row.waitFor();

      // The lead's explanation: each rule with its points, the sum the API's score.
      await row.getByRole('link', { name: '50 seats <b>spring</b>' }).click();
      await page.getByRole('heading', { name: '50 seats <b>spring</b>', level: 1 }).waitFor();
      const scores = (await server.api('GET', `/api/v1/leads/${world.leads.ada}/scores`)).body.data;
      const mine = scores.find((e: { modelId: string }) => e.modelId === model.id);
      assert.equal(mine.score, 50);
      assert.equal(
        mine.rules.reduce((n: number, r: { points: number }) => n + r.points, 0),
        mine.score,
      );
      const box = page.locator(`[data-testid="explanation"][data-model="${model.id}"]`);
      await box.getByTestId('score').filter({ hasText: '50' }).waitFor();
      for (const r of mine.rules)
        await box
          .getByRole('row', { name: new RegExp(`^${r.name}`) })
          .getByText(`+${r.points}`)
          .waitFor();
      await box.getByText('2 interactions in the last 30 days').waitFor();
      await box
        .getByRole('row', { name: /Score \(the sum\)/ })
        .getByText('50')
        .waitFor();
      await page.getByRole('link', { name: /Ada/ }).first().waitFor();
      await assertAccessible(page, 'lead page with its explanation');
      await screenshot(page, 'scoring-lead-1280');
      await page.emulateMedia({ colorScheme: 'dark' });
      await assertAccessible(page, 'lead page, dark');
      await screenshot(page, 'scoring-lead-1280-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      // Bea's lead: not scored, and why, in words.
      await page.goto(`${server.base}/admin/leads/${world.leads.bea}`);
      await page
        .locator(`[data-testid="explanation"][data-model="${model.id}"]`)
        .getByText('Not scored: this person has not agreed to profiling.')
        .waitFor();

      // The contact's page lists its leads.
      await page.goto(`${server.base}/admin/contacts/${world.contacts['ada@example.com']}`);
      await page.getByRole('region', { name: 'Leads', exact: true }).getByRole('link', { name: '50 seats <b>spring</b>' }).waitFor();
      await assertAccessible(page, 'contact page with its leads');

      // At 390 px, light and dark: nothing wider than the screen.
      for (const scheme of ['light', 'dark'] as const) {
        await page.setViewportSize({ width: 390, height: 844 });
        await page.emulateMedia({ colorScheme: scheme });
        for (const [path, name] of [
          [`/admin/scoring/${model.id}`, 'model'],
          [`/admin/leads?model=${model.id}`, 'ranked'],
          [`/admin/leads/${world.leads.ada}`, 'lead'],
        ] as const) {
          await page.goto(`${server.base}${path}`);
          await page.getByRole('heading', { level: 1 }).waitFor();
          await page.waitForLoadState('networkidle');
          assert.ok((await pageOverflow(page)) <= 0, `${name} at 390 px fits the screen`);
          await assertAccessible(page, `${name} at 390 px ${scheme}`);
          await screenshot(page, `scoring-${name}-390-${scheme}`);
        }
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: 'light' });
      assert.deepEqual(s.problems, []);
    });

    if (d.name === 'sqlite')
      test('a viewer reads a model and a lead’s explanation, and changes nothing', async () => {
        const model = (await server.api('GET', '/api/v1/scoring-models')).body.data[0];
        assert.ok(model, 'the model of the first test');
        const v = await openBrowser();
        try {
          await logIn(v.page, server.base, await server.user('viewer'));
          await v.page.goto(`${server.base}/admin/scoring/${model.id}`);
          await v.page.getByRole('heading', { name: model.name, level: 1 }).waitFor();
          for (const b of ['Save changes', 'Recompute', 'Delete model', 'Add a rule on what they did'])
            assert.equal(await v.page.getByRole('button', { name: b, exact: true }).count(), 0, b);
          await v.page.goto(`${server.base}/admin/leads/${world.leads.ada}`);
          await v.page.locator('[data-testid="explanation"]').first().waitFor();
          assert.equal(await v.page.getByRole('link', { name: 'Edit' }).count(), 0);
          assert.equal(await v.page.getByRole('link', { name: 'New lead' }).count(), 0);
          await assertAccessible(v.page, 'lead page, read only');
          assert.deepEqual(v.problems, []);
        } finally {
          await v.close();
        }
      });
  });
