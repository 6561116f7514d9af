import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ERROR_CODES } from '../src/lib/errors.ts';
import { datamapDoc } from '../scripts/datamap-doc.ts';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (n.endsWith('.ts') && !n.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

it('docs/errors.md lists exactly the codes in the catalogue, with their status', () => {
  const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])] as const);
  assert.deepEqual(
    Object.fromEntries(rows),
    Object.fromEntries(Object.entries(ERROR_CODES).map(([k, v]) => [k, v.status])),
  );
});

it('docs/data-map.md is the data map as declared (regenerate with npm run docs:datamap)', () => {
  assert.equal(readFileSync(join(root, 'docs/data-map.md'), 'utf8'), datamapDoc());
});

it('every error code the code raises is catalogued, and every catalogued code is raised somewhere', () => {
  const text = sources(join(root, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
  const raised = new Set([...text.matchAll(/AppError\(\s*'([a-z_]+)'/g)].map((m) => m[1]!));
  for (const c of raised) assert.ok(c in ERROR_CODES, `${c} is raised but not catalogued`);
  const mapped = new Set([...text.matchAll(/: '([a-z_]+)',?$/gm)].map((m) => m[1]!));
  const unused = Object.keys(ERROR_CODES).filter((c) => !raised.has(c) && !mapped.has(c) && !text.includes(`'${c}'`));
  assert.deepEqual(unused, []);
});

it('no migration imports application code', () => {
  const dir = join(root, 'src/db/migrations');
  for (const f of readdirSync(dir)) {
    const imports = [...readFileSync(join(dir, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    for (const i of imports) assert.ok(i === 'kysely' || /^\.\/[a-z0-9_]+\.ts$/.test(i), `${f} imports ${i}`);
  }
});
