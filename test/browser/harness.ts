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
  admin: { email: string; password: string };
  server: StartedAssent;
  stop(): Promise<void>;
}

/** `assent start` in a new folder (its embedded SQLite database), with the console built; the first admin's login. */
export async function startConsoleServer(): Promise<ConsoleServer> {
  ensureConsoleBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'assent-browser-'));
  const server = await startAssent(dir);
  const out = server.out();
  const email = /email: +(\S+)/.exec(out)?.[1];
  const password = /password: +(\S+)/.exec(out)?.[1];
  assert.ok(email && password, `the first admin's login is printed:\n${out}`);
  assert.match(out, /Console: +http:\/\/\S+\/admin\//, 'start prints the console URL');
  return {
    base: server.base,
    admin: { email, password },
    server,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
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
  await page.screenshot({ path, fullPage: true });
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
