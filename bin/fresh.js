// Whether dist/ (the compiled command line, scripts/build.mjs) is at least as new as every source
// it was built from. Plain JavaScript with no dependencies: bin/assent.js asks it on every start,
// before anything else loads (about 300 stats, a few milliseconds).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written last by a build, its mtime set to the moment the build started. */
export const STAMP = '.built';

/** The newest mtime under `dir`, directories included (a deleted or renamed file changes its folder's); test files do not count. */
function newest(dir) {
  let max = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.endsWith('.test.ts')) continue;
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** True when `root`/dist was built after the last change under `root`/src; false when it is missing. */
export function isFresh(root) {
  let built;
  try {
    built = statSync(join(root, 'dist', STAMP)).mtimeMs;
  } catch {
    return false;
  }
  return newest(join(root, 'src')) <= built;
}
