import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_DIR } from '../../src/http/console.ts';

const ADMIN = fileURLToPath(new URL('../../admin/', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Builds the console (scripts/build-admin.mjs) when admin/dist is missing or older than a source,
 * so the tests serve the console as it is in the tree. Sequential test files share one build.
 */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIR, 'index.html');
  const sources = Math.max(
    newest(join(ADMIN, 'src')),
    statSync(join(ADMIN, 'index.html')).mtimeMs,
    statSync(join(ADMIN, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, ['scripts/build-admin.mjs'], { cwd: join(ADMIN, '..'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the console did not build:\n${r.stdout}\n${r.stderr}`);
}
