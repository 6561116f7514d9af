// Browser tests: a real `assent start` on a throwaway SQLite database, driven by Debian's Chromium
// (/usr/bin/chromium, headless, never a downloaded browser) through playwright-core; axe-core checks
// each screen; screenshots go to .tmp/screenshots (ignored) for review.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../helpers/console.ts';
import { type StartedAssent, startAssent } from '../helpers/start.ts';
import { DIALECTS, type ScratchDb, scratchDatabase } from '../helpers/db.ts';

export const CHROMIUM = process.env.ASSENT_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../.tmp/screenshots/', import.meta.url));

/** Why the browser tests cannot run here, or false: `.ci/run` installs the browser and fails on a skip. */
export const browserSkip: string | false = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM} (apt-get install -y chromium)`;

/** The flags ARCHITECTURE.md gives for Chromium in this environment. */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleServer {
  base: string;
  dialect: 'sqlite' | 'postgres';
  /** The database the server runs on (a flow may write what no API route can, e.g. a hostile outbox message). */
  databaseUrl: string;
  admin: { email: string; password: string };
  server: StartedAssent;
  /** Calls the API as the first admin (a session of its own, not the browser's). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A console user of the role, made through the API; its login. */
  user(role: 'admin' | 'marketer' | 'privacy_officer' | 'viewer'): Promise<{ email: string; password: string }>;
  stop(): Promise<void>;
}

/** The dialects browser flows run on: SQLite always, PostgreSQL where npm test started one. */
export const BROWSER_DIALECTS = DIALECTS;
/**
 * For flows whose server side the HTTP tests run on both databases already (login, dashboard,
 * lists, imports): the browser adds the screens, which do not change with the database, and the
 * suite's minutes are kept for flows where the database shows through (contacts, requests,
 * segments, email campaigns).
 */
export const SQLITE_BROWSER = DIALECTS.filter((d) => d.name === 'sqlite');

/**
 * `assent start` in a new folder with the console built: on its embedded SQLite database, or on a
 * new database of the test cluster (PostgreSQL). Returns the first admin's printed login.
 */
export async function startConsoleServer(dialect: 'sqlite' | 'postgres' = 'sqlite'): Promise<ConsoleServer> {
  ensureConsoleBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'assent-browser-'));
  let pg: ScratchDb | undefined;
  if (dialect === 'postgres') pg = await scratchDatabase('postgres');
  const databaseUrl = pg ? pg.url : `sqlite:${join(dir, 'assent.db')}`;
  const server = await startAssent(dir, { env: { DATABASE_URL: databaseUrl } });
  const out = server.out();
  const email = /email: +(\S+)/.exec(out)?.[1];
  const password = /password: +(\S+)/.exec(out)?.[1];
  assert.ok(email && password, `the first admin's login is printed:\n${out}`);
  assert.match(out, /Console: +http:\/\/\S+\/admin\//, 'start prints the console URL');
  let cookie = '';
  const api: ConsoleServer['api'] = async (method, path, body) => {
    if (!cookie) {
      const res = await fetch(`${server.base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      assert.equal(res.status, 201, 'the admin logs in through the API');
      cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    }
    const res = await fetch(`${server.base}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  let n = 0;
  return {
    base: server.base,
    dialect,
    databaseUrl,
    admin: { email, password },
    server,
    api,
    user: async (role) => {
      const who = { email: `${role.replace('_', '-')}-${++n}@example.com`, password: `a password for ${role} ${n}` };
      const made = await api('POST', '/api/v1/users', { ...who, role });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      return who;
    },
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      await pg?.drop();
    },
  };
}

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Dialogs, console errors (a CSP violation among them) and uncaught page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** A headless Chromium with one page that records every dialog, console error and page error. */
export async function openBrowser(opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    colorScheme: opts.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('dialog', (d) => {
    problems.push(`dialog (${d.type()}): ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    // The console asks GET /api/v1/session to learn whether anyone is signed in: its 401 is an answer.
    // Every failed response is logged, so a flow that asks for a refusal (400, 409) finds it here
    // and takes out exactly the ones it expects.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const session: Session = { browser, context, page, problems, close: () => browser.close() };
  return session;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core on the page as it is and fails on a serious or critical violation. The script is
 * evaluated through the debugging protocol, which the page's CSP does not govern: the CSP stays on,
 * so a violation by the console itself still shows as a console error.
 */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  // A dialog fading in is half transparent: colours are measured once transitions have ended.
  // (A spinner's endless animation is left out: it never finishes.) A transition starts a frame
  // or two after its element mounts (Mantine sets the start style, then the end style), so on a
  // loaded machine none may be running yet when asked: frames are waited for until two in a row
  // start nothing new.
  await page.evaluate(
    `(async () => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
      const running = () => document.getAnimations()
        .filter((a) => a.playState !== 'finished' && Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity));
      for (let quiet = 0, i = 0; quiet < 2 && i < 200; i++) {
        await frame();
        const now = running();
        if (now.length === 0) quiet++;
        else {
          quiet = 0;
          await Promise.all(now.map((a) => a.finished.catch(() => null)));
        }
      }
    })()`,
  );
  if (!(await page.evaluate('typeof window.axe'))?.toString().includes('object')) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    '(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations)()',
  )) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`),
    [],
    `${what}: axe-core found serious or critical violations`,
  );
}

/** A full-page screenshot for review, at .tmp/screenshots/<name>.png (not committed). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  // The shell's header and navigation are fixed: a full-page capture scrolls and paints them mid-page.
  // The viewport is grown to the content's height instead, then put back.
  const size = page.viewportSize();
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  if (size && height > size.height) await page.setViewportSize({ width: size.width, height: Math.min(height, 8000) });
  await page.screenshot({ path });
  if (size && height > size.height) await page.setViewportSize(size);
  return path;
}

/** Signs in through the login screen and waits for the shell. */
export async function logIn(page: Page, base: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${base}/admin/`);
  await page.getByLabel('Email').fill(who.email);
  await page.locator('input[autocomplete=current-password]').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
