// Journeys in the console (issue 16 point 7): a marketer builds a journey in the designer — start
// (added by the API) → email → wait → end, tiles added by click and by drag, the last arrow drawn
// from handle to handle, a wait typed as a number and a unit, the tiles arranged — saves it as a
// draft with the problem the API finds drawn on its tile (a profiling message in a journey
// requiring Marketing), is refused going live, chooses the right message, goes live; contacts added
// through the API flow through it, worked by the served app's own worker, and every tile's counts
// on the canvas equal GET /stats while they wait and when they are done; taking the wait away while
// contacts wait in it is refused by name and undone; the contact's page shows its path; pause,
// resume and a stop that is asked first. A viewer changes nothing. The keyboard: tiles are reached
// by Tab, the side panel follows them, Delete removes the chosen tile. Data is made through the API.
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

/** Takes out of the problems the refusals the flow asked for (each status at least once), failing on any other. */
function expectRefusals(s: Session, statuses: number[]): void {
  for (const n of statuses)
    assert.ok(
      s.problems.some((p) => p.includes(`status of ${n}`)),
      `a ${n} was asked for: ${s.problems.join('; ')}`,
    );
  s.problems.splice(0, s.problems.length, ...s.problems.filter((p) => !statuses.some((n) => p.includes(`status of ${n}`))));
}

interface World {
  message: string;
  /** A message for profiling (level 5): more than a journey requiring Marketing may send. */
  profiled: string;
  /** Three at Marketing (level 4), one at Transactional (level 2): below the journey's requirement. */
  contacts: Record<string, string>;
}

async function makeWorld(server: ConsoleServer): Promise<World> {
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await server.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body?.data;
  };
  const message = (
    await ok('POST', '/api/v1/messages', {
      name: 'Welcome <i>mail</i>',
      purpose: 'marketing',
      subject: 'Welcome, {{ contact.firstName }}',
      html: '<p>Hello!</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
    })
  ).id;
  const profiled = (
    await ok('POST', '/api/v1/messages', {
      name: 'Picked for you',
      purpose: 'profiling',
      subject: 'Picked for you',
      html: '<p>Based on what you read.</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
    })
  ).id;
  const contacts: Record<string, string> = {};
  for (const [email, level] of [
    ['ada@example.com', 4],
    ['bea@example.com', 4],
    ['cy@example.com', 5],
    ['dee@example.com', 2],
  ] as const) {
    const c = await ok('POST', '/api/v1/contacts', { email, firstName: email.split('@')[0] });
    contacts[email] = c.id;
    await ok('PUT', `/api/v1/contacts/${c.id}/consent`, { level, source: 'admin', notice: 'Asked at the shop counter' });
  }
  return { message, profiled, contacts };
}

const tile = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

/** The counts drawn on each tile: {tileId: {entered, waiting, exited}}. */
async function shownCounts(page: Page): Promise<Record<string, { entered: number; waiting: number; exited: number }>> {
  // A string, not a function: the test's compiler names inner functions with a helper the page has not got.
  return page.evaluate(`Object.fromEntries([...document.querySelectorAll('[data-tile-counts]')].map((e) => [
    e.getAttribute('data-tile-counts'),
    Object.fromEntries(['entered', 'waiting', 'exited'].map((k) =>
      [k, Number((e.querySelector('[data-count="' + k + '"]')?.textContent ?? '').replace(/\\D/g, ''))])),
  ]))`);
}

/** GET /stats's tiles in the same shape (exits summed over their reasons). */
async function apiCounts(server: ConsoleServer, id: string) {
  const r = await server.api('GET', `/api/v1/journeys/${id}/stats`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const tiles = r.body.data.tiles as Record<string, { entered: number; waiting: number; exited: Record<string, number> }>;
  return {
    stats: r.body.data,
    tiles: Object.fromEntries(
      Object.entries(tiles).map(([k, v]) => [
        k,
        { entered: v.entered, waiting: v.waiting, exited: Object.values(v.exited ?? {}).reduce((a, b) => a + b, 0) },
      ]),
    ),
  };
}

/** Waits until the canvas shows the counts the API gives now, for every tile of the journey. */
async function countsMatch(page: Page, server: ConsoleServer, id: string, tileIds: string[], until: (api: any) => boolean) {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    const api = await apiCounts(server, id);
    const shown = await shownCounts(page);
    const want = Object.fromEntries(tileIds.map((t) => [t, api.tiles[t] ?? { entered: 0, waiting: 0, exited: 0 }]));
    const have = Object.fromEntries(tileIds.map((t) => [t, shown[t]]));
    last = `API ${JSON.stringify(want)} / shown ${JSON.stringify(have)}`;
    if (until(api) && JSON.stringify(want) === JSON.stringify(have)) return api;
    await page.waitForTimeout(500);
  }
  assert.fail(`the canvas's counts never equalled the API's: ${last}`);
}

/**
 * Connects two tiles with the mouse, from the first's output to the second's input, as a person does:
 * pressed on the output, moved in steps (xyflow follows pointer moves), and let go once the input
 * lights up as a valid end (xyflow's `connectingto valid` classes). Under load the canvas can still
 * be settling (refitted after a save) when the points are taken; a drag whose end never lit is let go
 * over nothing, which connects nothing, and is aimed again.
 */
async function connect(page: Page, fromTile: string, toTile: string) {
  const fromSel = `.react-flow__node[data-id="${fromTile}"] .react-flow__handle.source`;
  const toSel = `.react-flow__node[data-id="${toTile}"] .react-flow__handle.target`;
  await page.locator('.react-flow').evaluate((e) => e.scrollIntoView({ block: 'center' }));
  for (let attempt = 1; attempt <= 3; attempt++) {
    const from = await centre(page, fromSel);
    const to = await centre(page, toSel);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
    await page.mouse.move(to.x, to.y, { steps: 5 });
    const lit = await page
      .locator(`${toSel}.connectingto.valid`)
      .waitFor({ timeout: 5000 })
      .then(
        () => true,
        () => false,
      );
    await page.mouse.up();
    if (lit) return;
  }
  assert.fail(`the input of ${toTile} never lit up under the mouse`);
}
/**
 * Chooses a tile with a mouse click at its centre, once no dialog is closing and with the canvas in
 * the window's view. Not Playwright's click: when its checks fail once (a closing dialog's overlay
 * still takes the pointer) it retries with forced scroll alignments, which scroll the canvas's own
 * overflow-hidden box too; xyflow scrolls that box back on its scroll event, under load between the
 * press and the release, and the click lands on the pane, choosing nothing.
 */
async function chooseTile(page: Page, id: string) {
  await page.locator('body[data-scroll-locked]').waitFor({ state: 'detached' });
  await page.locator('.react-flow').evaluate((e) => e.scrollIntoView({ block: 'center' }));
  const at = await centre(page, `.react-flow__node[data-id="${id}"]`);
  await page.mouse.click(at.x, at.y);
}

/** The tile outlined as chosen on the canvas is the one whose settings the side panel shows (or neither). */
async function assertChosen(page: Page, id: string | null) {
  const outlined = await page.locator('.react-flow__node.selected').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.id));
  assert.deepEqual(outlined, id ? [id] : [], 'the tiles outlined as chosen');
  const panel = await page.locator('#tile-panel-title').textContent();
  if (id) assert.equal(panel, (await tile(page, id).getAttribute('aria-label'))?.split(':')[0], 'the side panel shows the chosen tile');
  else assert.equal(panel, 'Tile settings');
}

/** The centre of an element once it stopped moving (the canvas pans to fit a tile just added). */
async function centre(page: Page, selector: string) {
  let last = '';
  for (let i = 0; i < 40; i++) {
    const b = (await page.locator(selector).boundingBox())!;
    const at = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    if (JSON.stringify(at) === last) return at;
    last = JSON.stringify(at);
    await page.waitForTimeout(100);
  }
  assert.fail(`${selector} kept moving`);
}

/**
 * Waits until every dialog has faded in: half transparent, its colours blend with the page (axe).
 * Polled with page.evaluate, whose strings the debugging protocol runs (waitForFunction's would be
 * an eval the console's CSP refuses).
 */
async function faded(page: Page) {
  for (let i = 0; i < 50; i++) {
    const done = await page.evaluate(
      `[...document.querySelectorAll('.mantine-Modal-content')].every((e) => getComputedStyle(e).opacity === '1')`,
    );
    if (done) return;
    await page.waitForTimeout(50);
  }
  assert.fail('the dialog never faded in');
}

const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const d of BROWSER_DIALECTS)
  describe(`console: journeys [${d.name}]`, { skip: browserSkip || d.skip }, () => {
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

    test('a marketer builds a journey, sees its problem on a tile, goes live, and sees contacts flow with the API’s counts', async () => {
      const { page } = s;
      await logIn(page, server.base, await server.user('marketer'));
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Journeys', exact: true }).click();
      await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'No journeys yet' }).waitFor();
      await page.getByRole('link', { name: 'New journey' }).click();
      await page.getByRole('heading', { name: 'New journey', level: 1 }).waitFor();

      // The journey as a whole: its name, and the level it requires (Marketing, level 4).
      await page.getByRole('textbox', { name: /^Name/ }).fill('Welcome <b>series</b>');
      await page.getByLabel(/^Required consent/).selectOption({ label: 'Marketing (level 4)' });

      // Start: contacts added through the API (the default); chosen, its settings show in the side panel.
      await chooseTile(page, 'start');
      await page.getByRole('heading', { name: 'Start', level: 2 }).waitFor();
      assert.equal(await page.getByLabel('Who enters').inputValue(), 'manual');
      await assertChosen(page, 'start');
      // A click on the empty canvas chooses nothing: no tile outlined, the panel asks for one.
      const empty = (await page.locator('.react-flow__pane').boundingBox())!;
      await page.mouse.click(empty.x + 24, empty.y + 24);
      await page.getByRole('heading', { name: 'Tile settings', level: 2 }).waitFor();
      await assertChosen(page, null);
      await chooseTile(page, 'start');
      await page.getByRole('heading', { name: 'Start', level: 2 }).waitFor();

      // Email after it, by a click in the palette: the message chosen by its name.
      await page.getByRole('button', { name: 'Add Email' }).click();
      await tile(page, 'email-1').waitFor();
      await page.getByRole('heading', { name: 'Email', level: 2 }).waitFor();
      // First the wrong one: a profiling message, more than the journey requires.
      await page.getByLabel('Message', { exact: true }).selectOption({ label: 'Picked for you' });
      await page.getByText(/Its purpose is profiling: it needs Profiling \(level 5\)/).waitFor();
      await tile(page, 'email-1').getByText('Sends “Picked for you”').waitFor();

      // A wait of 10 seconds, typed as a number and a unit.
      await page.getByRole('button', { name: 'Add Wait', exact: true }).click();
      await tile(page, 'wait-1').waitFor();
      await page.getByRole('textbox', { name: 'Wait for' }).fill('10');
      await page.getByLabel('Wait for: unit').selectOption('seconds');
      await tile(page, 'wait-1').getByText('Waits 10 seconds').waitFor();

      // End: dragged from the palette onto the canvas, then connected from the wait's output by the mouse.
      const pane = (await page.locator('.react-flow__pane').boundingBox())!;
      await page.getByRole('button', { name: 'Add End' }).dragTo(page.locator('.react-flow__pane'), {
        targetPosition: { x: Math.min(200, pane.width / 4), y: pane.height - 70 },
      });
      await tile(page, 'end-1').waitFor();
      assert.equal(await page.locator('.react-flow__edge').count(), 2, 'start → email → wait drawn; the end not yet led to');
      await tile(page, 'wait-1').locator('[data-problem="not_connected"]').waitFor();
      // Work in progress is saved as it is: the draft keeps the output unconnected, a problem the API lists too.
      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.waitForURL(/\/admin\/journeys\/[0-9a-f-]{36}$/);
      const id = page.url().split('/').pop()!;
      const draft = (await server.api('GET', `/api/v1/journeys/${id}`)).body.data;
      assert.equal(draft.tiles.find((t: { id: string }) => t.id === 'wait-1').next, undefined);
      assert.deepEqual(
        draft.problems.filter((p: { code: string }) => p.code === 'missing_next').map((p: { tileId: string }) => p.tileId),
        ['wait-1'],
      );
      await tile(page, 'wait-1').locator('[data-problem="not_connected"]').waitFor();
      assert.equal(await page.getByRole('alert').filter({ hasText: 'Not saved' }).count(), 0);
      await connect(page, 'wait-1', 'end-1');
      await page.locator('.react-flow__edge[data-id="wait-1:next"]').waitFor({ state: 'attached' });
      assert.equal(await tile(page, 'wait-1').locator('[data-problem]').count(), 0);
      // Arranged: each tile in a row below the one before.
      await page.getByRole('button', { name: 'Arrange tiles' }).click();
      const tops: number[] = [];
      for (const t of ['start', 'email-1', 'wait-1', 'end-1']) tops.push((await centre(page, `.react-flow__node[data-id="${t}"]`)).y);
      assert.deepEqual(
        [...tops].sort((a, b) => a - b),
        tops,
        `tiles top to bottom: ${tops}`,
      );

      // Saved again, connected, with the API's problem drawn on the email tile.
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Unsaved changes.' }).waitFor({ state: 'detached' });
      await page.getByRole('heading', { name: 'Welcome <b>series</b>', level: 1 }).waitFor();
      const stored = (await server.api('GET', `/api/v1/journeys/${id}`)).body.data;
      assert.equal(stored.state, 'draft');
      assert.equal(stored.requiredConsent, 4);
      assert.deepEqual(
        stored.tiles.map((t: { id: string; type: string }) => `${t.id}:${t.type}`),
        ['start:start', 'email-1:email', 'wait-1:wait', 'end-1:end'],
      );
      assert.equal(stored.tiles[1].messageId, world.profiled);
      assert.equal(stored.tiles[2].duration, 'PT10S');
      assert.equal(stored.tiles[2].next, 'end-1');
      assert.deepEqual(stored.tiles[3].position, { x: 0, y: 3 * 170 }, 'where the designer arranged it');
      assert.deepEqual(
        stored.problems.map((p: { tileId: string; code: string }) => `${p.tileId}:${p.code}`),
        ['email-1:needs_more_consent'],
      );
      const bad = tile(page, 'email-1').locator('[data-invalid="true"]');
      await bad.getByText(/Needs more consent than the journey requires/).waitFor();
      assert.match(await bad.evaluate((e) => getComputedStyle(e).borderTopStyle + getComputedStyle(e).borderTopWidth), /solid3px/);
      await page.getByRole('alert').filter({ hasText: 'Saved as a draft, with problems' }).waitFor();
      await assertAccessible(page, 'designer, a draft with a problem');
      await screenshot(page, 'journeys-problem-1280');
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.waitForTimeout(200);
      await assertAccessible(page, 'designer, a draft with a problem, dark');
      await screenshot(page, 'journeys-problem-1280-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      // Going live with the problem is refused, and the refusal is drawn on the same tile.
      await page.getByRole('button', { name: 'Go live' }).click();
      const live = page.getByRole('dialog', { name: 'Go live?' });
      await live.getByRole('button', { name: 'Go live' }).click();
      await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
      await tile(page, 'email-1').locator('[data-problem="needs_more_consent"]').waitFor();
      await live.waitFor({ state: 'hidden' });
      assert.equal((await server.api('GET', `/api/v1/journeys/${id}`)).body.data.state, 'draft');

      // The right message, for marketing: the problem goes, and it goes live.
      await chooseTile(page, 'email-1');
      await page.getByRole('heading', { name: 'Email', level: 2 }).waitFor();
      await assertChosen(page, 'email-1');
      await page.getByLabel('Message', { exact: true }).selectOption({ label: 'Welcome <i>mail</i>' });
      await page.getByText(/Its purpose is marketing: it needs Marketing \(level 4\)/).waitFor();
      await tile(page, 'email-1').getByText('Sends “Welcome <i>mail</i>”').waitFor();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Unsaved changes.').waitFor({ state: 'hidden' });
      await tile(page, 'email-1').locator('[data-problem]').waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Go live' }).click();
      await live.getByRole('button', { name: 'Go live' }).click();
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      const going = (await server.api('GET', `/api/v1/journeys/${id}`)).body.data;
      assert.equal(going.state, 'live');
      assert.equal(going.tiles[1].messageId, world.message);
      assert.deepEqual(going.problems, []);

      // Contacts added through the API: three at or above Marketing enter, Dee (level 2) does not.
      const added = await server.api('POST', `/api/v1/journeys/${id}/contacts`, { contactIds: Object.values(world.contacts) });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.equal(added.body.data.entered, 3);
      assert.deepEqual(added.body.data.notEntered, { below_required_level: 1 });

      // They flow: while they wait, the wait tile shows them waiting, as the API counts them.
      const tiles = ['start', 'email-1', 'wait-1', 'end-1'];
      await countsMatch(page, server, id, tiles, (api) => (api.tiles['wait-1']?.waiting ?? 0) > 0);
      await screenshot(page, 'journeys-flowing-1280');
      // While they wait there, the wait cannot be taken away (the email led straight to the end instead):
      // the API's refusal names it, and undo brings it back.
      await tile(page, 'wait-1').focus();
      await page.keyboard.press('Delete');
      await tile(page, 'wait-1').waitFor({ state: 'detached' });
      await connect(page, 'email-1', 'end-1');
      await page.locator('.react-flow__edge[data-id="email-1:next"]').waitFor({ state: 'attached' });
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const refusal = page.getByRole('alert').filter({ hasText: 'Not saved' });
      await refusal.getByText(/Wait, which you took away: 3 contacts are at it now/).waitFor();
      await page.getByRole('button', { name: 'Undo my changes' }).click();
      await tile(page, 'wait-1').waitFor();
      await refusal.waitFor({ state: 'detached' });
      assert.equal((await server.api('GET', `/api/v1/journeys/${id}`)).body.data.tiles.length, 4);
      // Then they reach the end, and every tile's counts on the canvas equal GET /stats.
      const done = await countsMatch(page, server, id, tiles, (api) => api.tiles['end-1']?.entered === 3 && api.stats.inJourney === 0);
      assert.deepEqual(done.tiles['email-1'], { entered: 3, waiting: 0, exited: 0 });
      assert.equal(done.stats.entered, 3);
      assert.equal(done.stats.notEntered.below_required_level, 1);
      await page.locator('[data-stat="Entered"]').filter({ hasText: '3' }).waitFor();
      await page
        .locator('[data-stat="Finished"]')
        .filter({ hasText: String(done.stats.done) })
        .waitFor();
      await page.getByText(/Did not enter: Consent level below the journey’s requirement \(1\)/).waitFor();
      const mails = (await server.api('GET', `/api/v1/sends?message=${world.message}`)).body.data;
      assert.equal(mails.length, 3, 'one send per contact who entered');

      // Looked at as a marketer would: at 1280 and 390 px, light and dark; axe; no sideways scrolling.
      for (const width of [1280, 390])
        for (const scheme of ['light', 'dark'] as const) {
          await page.setViewportSize({ width, height: 844 });
          await page.emulateMedia({ colorScheme: scheme });
          await page.waitForTimeout(400);
          await assertAccessible(page, `designer, live, at ${width} ${scheme}`);
          assert.ok((await pageOverflow(page)) <= 0, `designer at ${width}: no sideways scrolling`);
          await screenshot(page, `journeys-live-${width}-${scheme}`);
        }
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: 'light' });

      // Pause and resume; a stop is asked first, and "keep it" keeps it.
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByRole('status').filter({ hasText: 'Paused' }).waitFor();
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await page.getByRole('button', { name: 'Stop' }).click();
      const stop = page.getByRole('dialog', { name: 'Stop this journey for good?' });
      await stop.getByText(/Everyone still in it leaves now/).waitFor();
      // Measured once the dialog has faded in: half transparent, its colours would blend with the page.
      await faded(page);
      await assertAccessible(page, 'stop, asked first');
      await stop.getByRole('button', { name: 'Keep it as it is' }).click();
      await stop.waitFor({ state: 'hidden' });
      assert.equal((await server.api('GET', `/api/v1/journeys/${id}`)).body.data.state, 'live');

      // The list: name as text, state, requirement by its level's name, counts.
      await page.getByRole('link', { name: '← All journeys' }).click();
      const row = page.getByRole('row', { name: /Welcome/ });
      await row.getByRole('link', { name: 'Welcome <b>series</b>' }).waitFor();
      assert.equal(await page.getByRole('table').locator('b').count(), 0);
      await row.getByText('Live').waitFor();
      await row.getByText('Marketing', { exact: true }).waitFor();
      // In it now, finished, left early, reached the goal: the API's counts.
      const listed = (await server.api('GET', '/api/v1/journeys')).body.data.find((j: { id: string }) => j.id === id).counts;
      const cells = await row.getByRole('cell').allTextContents();
      assert.deepEqual(cells.slice(3), [listed.inJourney, listed.done, listed.exited, listed.converted].map(String));
      assert.equal(listed.done, 3);
      await assertAccessible(page, 'journeys list');
      await screenshot(page, 'journeys-list');

      // Ada's page: the journey, finished, and its steps in words.
      await page.goto(`${server.base}/admin/contacts/${world.contacts['ada@example.com']}`);
      const section = page.getByRole('region', { name: 'Journeys' });
      await section.getByRole('link', { name: 'Welcome <b>series</b>' }).waitFor();
      await section.getByText('Finished').waitFor();
      await section.getByRole('button', { name: 'Show steps in Welcome <b>series</b>' }).click();
      const steps = section.getByRole('region', { name: 'Steps in Welcome <b>series</b>' });
      await steps.getByText('Email').first().waitFor();
      await steps.getByText('Wait').first().waitFor();
      await assertAccessible(page, 'contact page, a journey’s steps');
      await screenshot(page, 'journeys-contact-path');
      // Dee never entered: her page says so.
      await page.goto(`${server.base}/admin/contacts/${world.contacts['dee@example.com']}`);
      await page.getByRole('region', { name: 'Journeys' }).getByText('This contact has not been in a journey.').waitFor();

      // And stopped, after saying so.
      await page.goto(`${server.base}/admin/journeys/${id}`);
      await page.getByRole('button', { name: 'Stop' }).click();
      await stop.getByRole('button', { name: 'Stop' }).click();
      await page.getByRole('status').filter({ hasText: 'Stopped' }).waitFor();
      assert.equal((await server.api('GET', `/api/v1/journeys/${id}`)).body.data.state, 'stopped');
      assert.equal(await page.getByRole('button', { name: 'Add Email' }).isDisabled(), true, 'a stopped journey is read only');
      expectRefusals(s, [400, 409]);
      assert.deepEqual(s.problems, []);
    });

    if (d.name === 'sqlite')
      test('a viewer reads a journey and changes nothing', async () => {
        const made = await server.api('POST', '/api/v1/journeys', {
          name: 'Read-only tour',
          requiredConsent: 'marketing',
          tiles: [
            { id: 'start', type: 'start', trigger: { manual: true }, next: 'end', position: { x: 0, y: 0 } },
            { id: 'end', type: 'end', position: { x: 0, y: 170 } },
          ],
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        const v = await openBrowser();
        try {
          await logIn(v.page, server.base, await server.user('viewer'));
          await v.page.goto(`${server.base}/admin/journeys`);
          await v.page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
          assert.equal(await v.page.getByRole('link', { name: 'New journey' }).count(), 0);
          const row = v.page.getByRole('row', { name: /Read-only tour/ });
          await row.getByText('Draft').waitFor();
          await row.getByText('Marketing purpose').waitFor();
          await row.getByRole('link', { name: 'Read-only tour' }).click();
          await v.page.getByRole('heading', { name: 'Read-only tour', level: 1 }).waitFor();
          await tile(v.page, 'end').waitFor();
          for (const b of ['Save', 'Go live', 'Delete'])
            assert.equal(await v.page.getByRole('button', { name: b, exact: true }).count(), 0, b);
          assert.ok(await v.page.getByRole('button', { name: 'Add Email' }).isDisabled());
          assert.equal(await v.page.getByRole('textbox', { name: /^Name/ }).getAttribute('readonly'), '');
          await tile(v.page, 'end').focus();
          await v.page.keyboard.press('Delete');
          await tile(v.page, 'end').waitFor();
          await assertAccessible(v.page, 'designer, read only');
          assert.deepEqual(v.problems, []);
        } finally {
          await v.close();
        }
      });

    test('a task step’s work reaches the role it names: the privacy officer marks it done, a marketer does not see it', async () => {
      const made = await server.api('POST', '/api/v1/journeys', {
        name: 'Requests follow-up',
        requiredConsent: 'marketing',
        tiles: [
          { id: 'start', type: 'start', trigger: { manual: true }, next: 'look' },
          { id: 'look', type: 'task', title: 'Check the <b>request</b> by phone', role: 'privacy_officer', next: 'end' },
          { id: 'end', type: 'end' },
        ],
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const id = made.body.data.id as string;
      assert.equal((await server.api('PATCH', `/api/v1/journeys/${id}`, { state: 'live' })).status, 200);
      const added = await server.api('POST', `/api/v1/journeys/${id}/contacts`, { contactIds: [world.contacts['ada@example.com']] });
      assert.equal(added.body.data.entered, 1, JSON.stringify(added.body));
      // The served app's own worker runs the journey.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && (await server.api('GET', '/api/v1/journeys/tasks?status=open')).body.data.length === 0)
        await new Promise((r) => setTimeout(r, 250));
      const p = await openBrowser({ viewport: { width: 390, height: 844 } });
      try {
        await logIn(p.page, server.base, await server.user('privacy_officer'));
        await p.page.goto(`${server.base}/admin/tasks`);
        await p.page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
        const row = p.page.getByRole('row', { name: /Check the <b>request<\/b> by phone/ });
        await row.getByRole('link', { name: 'Requests follow-up' }).waitFor();
        assert.equal(await p.page.locator('b', { hasText: 'request' }).count(), 0, 'markup in a title is text');
        await screenshot(p.page, 'journeys-tasks-390');
        assert.ok((await pageOverflow(p.page)) <= 0, 'no sideways scroll at 390 px');
        await assertAccessible(p.page, 'tasks, to do');
        await row.getByRole('button', { name: /Mark done/ }).click();
        await p.page.getByText('is done.').waitFor();
        const open = (await server.api('GET', '/api/v1/journeys/tasks?status=open')).body.data;
        const closed = (await server.api('GET', '/api/v1/journeys/tasks?status=done')).body.data;
        assert.deepEqual([open.length, closed.length, closed[0].journeyId], [0, 1, id]);
        await p.page.locator('label', { hasText: /^Done$/ }).click();
        await p.page
          .getByRole('row', { name: /Check the <b>request<\/b> by phone/ })
          .getByRole('button', { name: /Open again/ })
          .waitFor();
        assert.deepEqual(p.problems, []);
      } finally {
        await p.close();
      }
      const m = await openBrowser();
      try {
        await logIn(m.page, server.base, await server.user('marketer'));
        await m.page.goto(`${server.base}/admin/tasks`);
        await m.page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
        await m.page.getByText('Nothing to do').waitFor();
        assert.deepEqual(m.problems, []);
      } finally {
        await m.close();
      }
    });

    if (d.name === 'sqlite')
      test('by keyboard: Tab reaches the tiles and then the side panel, Delete removes the chosen tile', async () => {
        const k = await openBrowser();
        try {
          const { page } = k;
          await logIn(page, server.base, await server.user('marketer'));
          await page.goto(`${server.base}/admin/journeys/new`);
          await page.getByRole('heading', { name: 'New journey', level: 1 }).waitFor();
          await chooseTile(page, 'start');
          await page.getByRole('button', { name: 'Add Email' }).click();
          await page.getByRole('button', { name: 'Add List' }).click();
          await tile(page, 'list-1').waitFor();
          // From the palette's last button, Tab goes to the tiles: each one reached is chosen.
          await page.getByRole('button', { name: 'Add End' }).focus();
          const reached: string[] = [];
          for (let i = 0; i < 12 && reached.length < 3; i++) {
            await page.keyboard.press('Tab');
            const id = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id ?? null);
            if (id && !reached.includes(id) && !id.includes(':')) reached.push(id);
          }
          assert.deepEqual(reached.sort(), ['email-1', 'list-1', 'start']);
          await tile(page, 'email-1').focus();
          await page.getByRole('heading', { name: 'Email', level: 2 }).waitFor();
          // Tab on from the tiles reaches the side panel's settings.
          let inPanel = false;
          for (let i = 0; i < 20 && !inPanel; i++) {
            await page.keyboard.press('Tab');
            inPanel = await page.evaluate(() => !!document.activeElement?.closest('[aria-labelledby="tile-panel-title"]'));
          }
          assert.ok(inPanel, 'Tab reaches the side panel');
          // Delete on a chosen tile removes it, and the arrows to it.
          await tile(page, 'email-1').focus();
          await page.keyboard.press('Delete');
          await tile(page, 'email-1').waitFor({ state: 'detached' });
          assert.equal(await page.locator('.react-flow__edge').count(), 0, 'start led to the email only, which led to the list');
          await tile(page, 'start').locator('[data-problem="not_connected"]').waitFor();
          // Connected without a mouse: where the start leads, chosen in its settings.
          await tile(page, 'start').focus();
          await page.getByLabel('Next step', { exact: true }).selectOption({ label: 'List (list-1)' });
          await page.locator('.react-flow__edge[data-id="start:next"]').waitFor({ state: 'attached' });
          assert.equal(await tile(page, 'start').locator('[data-problem]').count(), 0);
          // Backspace in a field of the side panel edits the field, not the canvas.
          await tile(page, 'list-1').focus();
          const name = page.getByRole('textbox', { name: 'Name on the canvas' });
          await name.fill('Spring');
          await name.press('Backspace');
          assert.equal(await name.inputValue(), 'Sprin');
          await tile(page, 'list-1').waitFor();
          // Tiles with several ways on: a handle for each, labelled.
          const handles = (id: string) =>
            page
              .locator(`.react-flow__node[data-id="${id}"] .react-flow__handle.source`)
              .evaluateAll((hs) => hs.map((h) => h.getAttribute('data-handleid')));
          await page.getByRole('button', { name: 'Add Condition' }).click();
          assert.deepEqual(await handles('condition-1'), ['yes', 'no']);
          await tile(page, 'condition-1').getByText('Yes', { exact: true }).waitFor();
          await page.getByRole('button', { name: 'Add Wait for event' }).click();
          assert.deepEqual(await handles('wait-event-1'), ['next', 'timeout']);
          await tile(page, 'wait-event-1').getByText('Timed out', { exact: true }).waitFor();
          await page.getByRole('button', { name: 'Add Split' }).click();
          assert.deepEqual(await handles('split-1'), ['branch-0', 'branch-1']);
          await page.getByRole('button', { name: 'Add a branch' }).click();
          assert.deepEqual(await handles('split-1'), ['branch-0', 'branch-1', 'branch-2']);
          await page.getByText('100% in all').waitFor();
          await assertAccessible(page, 'designer, a new journey');
          assert.deepEqual(k.problems, []);
        } finally {
          await k.close();
        }
      });
  });
