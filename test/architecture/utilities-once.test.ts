// Issue 11, point 5: bounded concurrency, chunking, HTML escaping, the id schema, the list-route
// body and the lease fence each exist in one place. A copy of any of them, written again
// anywhere else in src/, fails here with the file and line, so the class stays closed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const root = process.env.ASSENT_SOURCE_ROOT ?? new URL('../../', import.meta.url).pathname;

interface Utility {
  what: string;
  /** Where it lives: the one file allowed to hold the pattern. */
  home: string;
  /** What a copy looks like (tried against each file's whole text). */
  copy: RegExp;
  /** Files that match and are not copies, each with why. */
  not?: Record<string, string>;
}

export const UTILITIES: Utility[] = [
  {
    what: 'chunking (a loop over slices of a list)',
    home: 'src/lib/chunks.ts',
    copy: /for \(let (\w+) = 0; \1 < [\w.]+\.length; \1 \+= [^)]+\)[\s\S]{0,200}?\.slice\(\1, \1 \+/g,
    not: { 'src/modules/contacts/import.routes.ts': 'a request body cut lazily into string pieces (a generator), not a list' },
  },
  {
    what: 'bounded concurrency (a pool of lanes over one list)',
    home: 'src/lib/parallel.ts',
    copy: /Promise\.all\(\s*Array\.from\(\s*\{\s*length:/g,
  },
  { what: 'HTML escaping', home: 'src/lib/html.ts', copy: /['"]&['"]\s*:\s*['"]&amp;['"]|\.replace\(\/\[&<>/g },
  { what: 'the id pattern', home: 'src/lib/ids.ts', copy: /\^\[0-9a-f\]\{8\}-\[0-9a-f\]\{4\}/g },
  { what: 'the id schema', home: 'src/http/schemas.ts', copy: /Type\.String\(\s*\{\s*pattern:\s*ID_PATTERN/g },
  {
    what: 'the list-route body (one row more than the page, after the cursor)',
    home: 'src/http/pagination.ts',
    copy: /limit \+ 1,\s*decodeCursor\(|rows\.length > limit/g,
    not: {
      'src/modules/mail/mail.service.ts':
        'the outbox pages in its service (its own limit check, the next id unencoded); left to the mail rework of this round (point 3)',
    },
  },
  { what: 'the lease fence', home: 'src/jobs/jobs.queries.ts', copy: /where\(\s*'locked_by',\s*'='/g },
];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Every copy of a utility outside its home, as `file:line: what`. Frozen migrations are history, not code to share. */
export function copiesOutsideHome(files: { path: string; text: string }[], utilities = UTILITIES): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    if (path.startsWith('src/db/migrations/')) continue;
    for (const u of utilities) {
      if (path === u.home || u.not?.[path]) continue;
      for (const m of text.matchAll(u.copy)) found.push(`${path}:${text.slice(0, m.index).split('\n').length}: ${u.what} (use ${u.home})`);
    }
  }
  return found;
}

describe('utilities once', () => {
  const files = sourceFiles(join(root, 'src')).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));

  it('no copy of a shared utility outside its home in src/', () => {
    assert.deepEqual(copiesOutsideHome(files), []);
  });

  it('each home holds what it is the home of', () => {
    const homes = new Map(files.map((f) => [f.path, f.text]));
    for (const u of UTILITIES) assert.ok(homes.has(u.home), `${u.home} exists`);
    assert.match(homes.get('src/lib/chunks.ts')!, /export function chunks/);
    assert.match(homes.get('src/lib/parallel.ts')!, /export async function inParallel/);
    assert.match(homes.get('src/lib/html.ts')!, /export function escapeHtml/);
    assert.match(homes.get('src/http/schemas.ts')!, /export const Id = /);
    assert.match(homes.get('src/http/pagination.ts')!, /export async function listPage/);
  });

  it('finds a planted copy of each, with its file and line', () => {
    const planted = [
      'for (let i = 0; i < rows.length; i += 500) await db.insertInto("t").values(rows.slice(i, i + 500)).execute();',
      'await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));',
      "const ESC = { '&': '&amp;', '<': '&lt;' };",
      "const Id = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });",
      'const Other = Type.String({ pattern: ID_PATTERN });',
      'return toPage(await s.things.list(filter, limit + 1, decodeCursor(cursor)), limit);',
      ".where('locked_by', '=', workerId)",
    ];
    const found = copiesOutsideHome([{ path: 'src/modules/new/new.service.ts', text: `\n${planted.join('\n')}\n` }]);
    assert.deepEqual(
      found.map((f) => f.split(': ')[0]),
      planted.map((_, i) => `src/modules/new/new.service.ts:${i + 2}`),
    );
    // In a frozen migration, or in the home itself, the same text is not a copy.
    assert.deepEqual(copiesOutsideHome([{ path: 'src/db/migrations/0099_x.ts', text: planted.join('\n') }]), []);
    assert.deepEqual(copiesOutsideHome([{ path: 'src/lib/chunks.ts', text: planted[0]! }]), []);
  });
});
