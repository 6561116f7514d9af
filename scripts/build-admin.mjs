// `npm run build:admin` (and `prepare`, so `npm ci` leaves a built console): builds the console
// (admin/) into admin/dist with Vite and prints the initial JavaScript gzipped, the entry chunk and
// the chunks it imports statically: what the browser loads before the first screen (at most 300 KB,
// issue 13). Each screen is its own chunk, loaded when opened.
//
// Without Vite (an install that left out devDependencies) nothing is built and this exits 0: the
// server then answers /admin with a note saying how to build it (src/http/console.ts).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const ADMIN = fileURLToPath(new URL('../admin/', import.meta.url));
export const INITIAL_JS_LIMIT = 300 * 1024;

/** Builds admin/dist; returns the initial JavaScript's gzipped size in bytes, or null without Vite. */
export async function buildAdmin({ quiet = false } = {}) {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    if (!quiet) console.warn('build:admin: vite is not installed; the console is not built');
    return null;
  }
  await vite.build({
    root: ADMIN,
    configFile: `${ADMIN}vite.config.ts`,
    logLevel: quiet ? 'warn' : 'info',
    build: { manifest: true },
  });
  const dist = `${ADMIN}dist/`;
  const manifest = JSON.parse(readFileSync(`${dist}.vite/manifest.json`, 'utf8'));
  const seen = new Set();
  const walk = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const k of manifest[key].imports ?? []) walk(k);
  };
  walk('index.html');
  let gz = 0;
  for (const key of seen) gz += gzipSync(readFileSync(dist + manifest[key].file)).length;
  console.log(`build:admin: initial JavaScript ${(gz / 1024).toFixed(1)} KB gzipped (${seen.size} chunks; limit 300 KB)`);
  return gz;
}

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Whether admin/dist is missing or older than a source of the console (admin/src, index.html, the Vite config). */
export function adminStale() {
  const index = `${ADMIN}dist/index.html`;
  if (!existsSync(index)) return true;
  const sources = Math.max(newest(`${ADMIN}src`), statSync(`${ADMIN}index.html`).mtimeMs, statSync(`${ADMIN}vite.config.ts`).mtimeMs);
  return statSync(index).mtimeMs < sources;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const gz = await buildAdmin();
  if (gz !== null && gz > INITIAL_JS_LIMIT) {
    console.error('build:admin: the initial JavaScript is over 300 KB gzipped');
    process.exit(1);
  }
}
