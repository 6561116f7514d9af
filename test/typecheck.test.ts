import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { it } from 'node:test';

// tsx runs the code without checking types: this is the one place the whole tree
// (product, tests, benchmarks, scripts) is checked, unused names included.
it('the whole tree type-checks (tsc --noEmit, strict, no unused locals)', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', new URL('../tsconfig.json', import.meta.url).pathname], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
