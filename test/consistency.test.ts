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
  assert.deepEqual(Object.fromEntries(rows), Object.fromEntries(Object.entries(ERROR_CODES).map(([k, v]) => [k, v.status])));
});

it('docs/data-map.md is the data map as declared (regenerate with npm run docs:datamap)', () => {
  assert.equal(readFileSync(join(root, 'docs/data-map.md'), 'utf8'), datamapDoc());
});

it('every error code the code raises is catalogued, and every catalogued code is raised somewhere', () => {
  const text = sources(join(root, 'src'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
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

it(
  'no source file opens files with plain file calls where the database ' + 'is open, but the reader process and the guarded CLI commands',
  () => {
    // Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
    // included, and writing one of the database's files destroys it. Every process running src/
    // has the database open, so a file opened there must be one that cannot be the database's.
    const opens = new Set([
      'open',
      'openSync',
      'readFile',
      'readFileSync',
      'writeFile',
      'writeFileSync',
      'appendFile',
      'appendFileSync',
      'createReadStream',
      'createWriteStream',
      'copyFile',
      'copyFileSync',
      'cp',
      'cpSync',
      'truncate',
      'truncateSync',
      'openAsBlob',
    ]);
    const guarded = (text: string) => text.includes('refuseDatabaseFile(');
    const allowed: Record<string, (text: string) => boolean> = {
      // Database files' bytes, read in the residue scan's reader process only (checked below).
      'src/modules/dsr/residue/residue.bytes.ts': () => true,
      // Files the operator names, refused when they are the database's own.
      'src/cli/import.commands.ts': guarded,
      'src/cli/dsr.commands.ts': guarded,
      // The two docs the API document links to, under docs/, refused when one is the database's own.
      'src/http/openapi.ts': (text) => text.includes('isDatabaseFile('),
      // The ledger key file, refused when it is one of the database's own.
      'src/modules/settings/ledger-key.ts': (text) => text.includes('isDatabaseFile('),
      // The message catalogue's `<lang>.json` files, read once when the module is imported: before
      // any database is opened in the process, so no lock of it can be dropped.
      'src/i18n/catalogue.ts': (text) => /^export const catalogue = Catalogue\.load\(/m.test(text),
    };
    const offenders: string[] = [];
    const importers: string[] = [];
    for (const f of sources(join(root, 'src'))) {
      const rel = f.slice(root.length);
      const text = readFileSync(f, 'utf8');
      if (/from '\.\/residue\.bytes\.ts'/.test(text)) importers.push(rel);
      // Each match is one import statement: it ends at the first `from '…'`.
      for (const m of text.matchAll(/^import\s+([^;]*?)\s+from\s+'([^']+)'/gm)) {
        const [, clause, from] = m as unknown as [string, string, string];
        if (!/^(node:)?fs(\/promises)?$/.test(from) || /^type\s/.test(clause)) continue;
        // A namespace or default import can call anything.
        const names = /^\s*\{/.test(clause)
          ? clause
              .replace(/[{}]/g, '')
              .split(',')
              .map(
                (n) =>
                  n
                    .trim()
                    .replace(/^type\s+/, '')
                    .split(/\s+as\s+/)[0]!,
              )
          : ['*'];
        const bad = names.filter((n) => n === '*' || opens.has(n));
        if (bad.length && !(allowed[rel]?.(text) ?? false)) offenders.push(`${rel}: ${bad.join(', ')}`);
      }
    }
    assert.deepEqual(offenders, []);
    assert.deepEqual(importers, ['src/modules/dsr/residue/residue.reader.ts'], 'residue.bytes.ts runs in the reader process alone');
  },
);
