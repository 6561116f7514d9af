import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { type ImportEdge, type ImportGraph, importsOf, readImportGraph } from './import-graph.ts';
import { checkImports, GATED_SENDER, type RuleId, type Violation } from './import-rules.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('the import graph reader', () => {
  it('sees every form of import by syntax, and none inside comments, strings or templates', () => {
    const text = [
      "import a from './a.ts';",
      "import type { B } from './b.ts';",
      "import { type C, type D } from './cd.ts';",
      "import { type E, f } from './ef.ts';",
      "export { g } from './g.ts';",
      "export type { H } from './h.ts';",
      'import {',
      '  i,',
      "} from './i.ts';",
      "const j = await import('./j.ts');",
      "type K = typeof import('./k.ts');",
      "// import x from './comment.ts';",
      "/* import y from './block.ts'; */",
      'const s = "import z from \'./string.ts\'";',
      "const t = `await import('./template.ts')`;",
      "import './side-effect.ts';",
    ].join('\n');
    const found = importsOf('x.ts', text).map((i) => `${i.kind} ${i.specifier} ${i.line}`);
    assert.deepEqual(found, [
      'static ./a.ts 1',
      'type ./b.ts 2',
      'type ./cd.ts 3',
      'static ./ef.ts 4',
      'export-from ./g.ts 5',
      'type ./h.ts 6',
      'static ./i.ts 9',
      'dynamic ./j.ts 10',
      'type ./k.ts 11',
      'static ./side-effect.ts 16',
    ]);
  });

  it('resolves every relative import of src, bin and scripts to a file', () => {
    const g = readImportGraph(root);
    assert.ok(g.files.length > 100, `only ${g.files.length} files read`);
    const unresolved = g.edges.filter((e) => e.to === null && e.specifier.startsWith('.'));
    assert.deepEqual(unresolved, []);
    // bin's dynamic import of the CLI is an edge like any other
    assert.ok(g.edges.some((e) => e.from === 'bin/assent.js' && e.to === 'src/cli/main.ts' && e.kind === 'dynamic'));
  });
});

describe('the live import graph against the rules', () => {
  it('has no violation', () => {
    const found = checkImports(readImportGraph(root));
    assert.equal(found.length, 0, `import-rule violations:\n${found.map((v) => `  [${v.rule}] ${v.message}`).join('\n')}`);
  });
});

/** A synthetic graph from `[from, to, kind]` triples; a `to` without a dot or slash is a package. */
function graph(edges: [string, string, ImportEdge['kind']?][]): ImportGraph {
  const files = new Set<string>();
  const out: ImportEdge[] = edges.map(([from, to, kind], i) => {
    files.add(from);
    const isPackage = !to.includes('/') || !/\.(ts|js|mjs)$/.test(to);
    if (!isPackage) files.add(to);
    return { from, specifier: isPackage ? to : `./${to}`, to: isPackage ? null : to, kind: kind ?? 'static', line: i + 1 };
  });
  return { files: [...files].sort(), edges: out };
}

/** A house that keeps every rule: lower layers in order, modules through their faces, mail through the gated sender. */
const CLEAN: [string, string, ImportEdge['kind']?][] = [
  ['src/db/connect.ts', 'src/lib/errors.ts'],
  ['src/db/connect.ts', 'kysely'],
  ['src/jobs/queue.ts', 'src/db/connect.ts'],
  ['src/jobs/queue.ts', 'src/lib/clock.ts', 'type'],
  ['src/http/errors.ts', 'src/db/connect.ts'],
  ['src/http/errors.ts', 'src/lib/errors.ts'],
  ['src/modules/contacts/module.ts', 'src/modules/contacts/contacts.service.ts'],
  ['src/modules/contacts/contacts.service.ts', 'src/modules/contacts/contacts.queries.ts'],
  ['src/modules/contacts/contacts.routes.ts', 'src/http/errors.ts'],
  ['src/modules/contacts/contacts.queries.ts', 'src/db/connect.ts', 'type'],
  ['src/modules/lists/lists.service.ts', 'src/modules/contacts/module.ts'],
  ['src/modules/lists/lists.service.ts', 'src/modules/contacts/index.ts', 'type'],
  ['src/modules/lists/lists.service.ts', 'src/jobs/queue.ts'],
  ['src/modules/mail/module.ts', GATED_SENDER],
  [GATED_SENDER, 'src/modules/mail/mail.service.ts'],
  ['src/modules/mail/mail.service.ts', 'src/modules/mail/smtp.relay.ts'],
  ['src/modules/mail/mail.service.ts', 'src/modules/mail/outbox.queries.ts'],
  ['src/modules/mail/smtp.relay.ts', 'nodemailer'],
  ['src/modules/mail/mail.validate.ts', 'nodemailer/lib/addressparser'],
  ['src/modules/dsr/requests/requests.mailer.ts', 'src/modules/mail/module.ts'],
  ['src/modules/index.ts', 'src/modules/contacts/module.ts'],
  ['src/modules/index.ts', 'src/modules/mail/module.ts'],
  ['src/services.ts', 'src/modules/index.ts'],
  ['src/cli/main.ts', 'src/cli/serve.commands.ts'],
  ['src/cli/serve.commands.ts', 'src/cli/options.ts'],
  ['src/cli/serve.commands.ts', 'src/services.ts'],
  ['bin/assent.js', 'src/cli/main.ts', 'dynamic'],
  // tests reach inside on purpose
  ['src/db/connect.test.ts', 'src/modules/contacts/contacts.queries.ts'],
  ['src/modules/lists/lists.test.ts', 'src/modules/mail/mail.service.ts'],
];

/** The clean house plus one planted edge: the violations it brings. */
function plant(...extra: [string, string, ImportEdge['kind']?][]): Violation[] {
  return checkImports(graph([...CLEAN, ...extra]));
}

function only(found: Violation[], rule: RuleId, file: string, imported: string): Violation {
  assert.equal(found.length, 1, `expected one violation, got:\n${found.map((v) => `  [${v.rule}] ${v.message}`).join('\n')}`);
  const v = found[0]!;
  assert.equal(v.rule, rule);
  assert.equal(v.file, file);
  assert.equal(v.import, imported);
  assert.ok(v.message.includes(file) && v.message.includes(imported), `the message names the file and the import: ${v.message}`);
  return v;
}

describe('the import rules on planted violations', () => {
  it('a clean graph reports nothing', () => {
    assert.deepEqual(checkImports(graph(CLEAN)), []);
  });

  it('rule 1: a lower layer importing a module is reported', () => {
    // a leaf of the module, so that no cycle comes with the planted edge
    for (const lower of ['src/lib/errors.ts', 'src/db/connect.ts', 'src/http/errors.ts', 'src/jobs/queue.ts']) {
      only(plant([lower, 'src/modules/contacts/contacts.table.ts', 'type']), 'layers', lower, 'src/modules/contacts/contacts.table.ts');
    }
  });

  it('rule 1: a lower layer importing a layer above it, or the composition root, is reported', () => {
    only(plant(['src/lib/clock.ts', 'src/db/connect.ts']), 'layers', 'src/lib/clock.ts', 'src/db/connect.ts');
    only(plant(['src/db/database.ts', 'src/jobs/queue.ts', 'type']), 'layers', 'src/db/database.ts', 'src/jobs/queue.ts');
    only(plant(['src/jobs/queue.ts', 'src/http/errors.ts']), 'layers', 'src/jobs/queue.ts', 'src/http/errors.ts');
    only(plant(['src/http/auth.ts', 'src/services.ts', 'type']), 'layers', 'src/http/auth.ts', 'src/services.ts');
  });

  it('a type import is counted, and its message says it was a type import', () => {
    const v = only(
      plant(['src/db/database.ts', 'src/modules/contacts/contacts.table.ts', 'type']),
      'layers',
      'src/db/database.ts',
      'src/modules/contacts/contacts.table.ts',
    );
    assert.match(v.message, /type import/);
    const w = only(
      plant(['src/db/database.ts', 'src/modules/contacts/contacts.table.ts']),
      'layers',
      'src/db/database.ts',
      'src/modules/contacts/contacts.table.ts',
    );
    assert.doesNotMatch(w.message, /type import/);
  });

  it("rule 2: a module importing another module's queries is reported as reading another module's queries", () => {
    const v = only(
      plant(['src/modules/lists/lists.service.ts', 'src/modules/contacts/contacts.queries.ts']),
      'public-face',
      'src/modules/lists/lists.service.ts',
      'src/modules/contacts/contacts.queries.ts',
    );
    assert.match(v.message, /reads another module's queries/);
    // the CLI and the composition root call services, never another module's SQL
    only(
      plant(['src/cli/serve.commands.ts', 'src/modules/contacts/contacts.queries.ts']),
      'public-face',
      'src/cli/serve.commands.ts',
      'src/modules/contacts/contacts.queries.ts',
    );
  });

  it('rule 2: a module reaching past another module’s public face is reported; a sub-folder is still inside', () => {
    only(
      plant(['src/modules/lists/lists.service.ts', 'src/modules/contacts/contacts.service.ts', 'type']),
      'public-face',
      'src/modules/lists/lists.service.ts',
      'src/modules/contacts/contacts.service.ts',
    );
    only(
      plant(['src/modules/lists/lists.service.ts', 'src/modules/contacts/parts/module.ts']),
      'public-face',
      'src/modules/lists/lists.service.ts',
      'src/modules/contacts/parts/module.ts',
    );
    // inside one module, sub-folders reach each other freely
    assert.deepEqual(plant(['src/modules/contacts/erasure/erase.ts', 'src/modules/contacts/contacts.queries.ts']), []);
  });

  it('rule 3: an import cycle is reported once, as its files in order', () => {
    const v = only(
      plant(['src/modules/contacts/contacts.queries.ts', 'src/modules/contacts/module.ts']),
      'no-cycle',
      'src/modules/contacts/contacts.queries.ts',
      'src/modules/contacts/module.ts',
    );
    assert.deepEqual(v.cycle, [
      'src/modules/contacts/contacts.queries.ts',
      'src/modules/contacts/module.ts',
      'src/modules/contacts/contacts.service.ts',
    ]);
    assert.match(v.message, /contacts\.queries\.ts -> .*module\.ts -> .*contacts\.service\.ts -> .*contacts\.queries\.ts/);
    // two cycles sharing a file are two reports; a self-import is a cycle too
    const two = plant(
      ['src/lib/a.ts', 'src/lib/b.ts'],
      ['src/lib/b.ts', 'src/lib/a.ts'],
      ['src/lib/b.ts', 'src/lib/c.ts'],
      ['src/lib/c.ts', 'src/lib/b.ts', 'type'],
      ['src/lib/d.ts', 'src/lib/d.ts'],
    );
    assert.deepEqual(
      two.map((v) => v.cycle),
      [['src/lib/a.ts', 'src/lib/b.ts'], ['src/lib/b.ts', 'src/lib/c.ts'], ['src/lib/d.ts']],
    );
    assert.match(two[1]!.message, /type import from src\/lib\/c\.ts/);
  });

  it('rule 3: the CLI’s cycles count (a command module importing the entry)', () => {
    const found = plant(['src/cli/serve.commands.ts', 'src/cli/main.ts']);
    assert.deepEqual(found.map((v) => v.rule).sort(), ['cli-entry', 'no-cycle']);
  });

  it('rule 4: a module reaching the mail transport directly is reported', () => {
    // from another module it is also past the mail module's face: both rules say so
    const found = plant(['src/modules/dsr/requests/requests.mailer.ts', 'src/modules/mail/mail.service.ts']);
    assert.deepEqual(found.map((v) => v.rule).sort(), ['only-through', 'public-face']);
    only(
      found.filter((v) => v.rule === 'only-through'),
      'only-through',
      'src/modules/dsr/requests/requests.mailer.ts',
      'src/modules/mail/mail.service.ts',
    );
    // inside the mail module too: only the gated sender hands mail to the transport
    only(
      plant(['src/modules/mail/module.ts', 'src/modules/mail/mail.service.ts']),
      'only-through',
      'src/modules/mail/module.ts',
      'src/modules/mail/mail.service.ts',
    );
    only(
      plant(['src/services.ts', 'src/modules/mail/mail.service.ts', 'type']),
      'only-through',
      'src/services.ts',
      'src/modules/mail/mail.service.ts',
    );
    // and no second door: the relay, the outbox's writes, an SMTP client of one's own
    only(plant([GATED_SENDER, 'src/modules/mail/smtp.relay.ts']), 'only-through', GATED_SENDER, 'src/modules/mail/smtp.relay.ts');
    only(
      plant(['src/modules/mail/outbox.routes.ts', 'src/modules/mail/outbox.queries.ts']),
      'only-through',
      'src/modules/mail/outbox.routes.ts',
      'src/modules/mail/outbox.queries.ts',
    );
    only(
      plant(['src/modules/dsr/requests/requests.mailer.ts', 'nodemailer']),
      'only-through',
      'src/modules/dsr/requests/requests.mailer.ts',
      'nodemailer',
    );
    only(
      plant(['src/modules/dsr/requests/requests.mailer.ts', 'nodemailer/lib/smtp-transport']),
      'only-through',
      'src/modules/dsr/requests/requests.mailer.ts',
      'nodemailer',
    );
  });

  it('rule 5: a command module importing the CLI entry is reported', () => {
    const found = plant(['src/cli/admin.commands.ts', 'src/cli/main.ts']).filter((v) => v.rule !== 'no-cycle');
    only(found, 'cli-entry', 'src/cli/admin.commands.ts', 'src/cli/main.ts');
  });
});

/** Imports `files` in one child process, in a directory of its own; what it printed, wrote and how it ended. */
async function importInChild(files: string[]): Promise<{ files: string[]; code: number | null; output: string; written: string[] }> {
  const cwd = mkdtempSync(join(tmpdir(), 'assent-cli-import-'));
  try {
    const urls = files.map((f) => pathToFileURL(join(root, 'src/cli', f)).href);
    const script = urls.map((u) => `await import(${JSON.stringify(u)});`).join('\n');
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '--eval', script], {
      cwd,
      // no database named: were the CLI to run, it would make its default SQLite file here
      env: { PATH: process.env.PATH ?? '', HOME: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((res) => child.on('close', res));
    return { files, code, output, written: readdirSync(cwd) };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('importing a CLI command module', () => {
  const commands = readdirSync(join(root, 'src/cli')).filter((f) => f.endsWith('.commands.ts'));
  const clean = (r: { code: number | null; output: string; written: string[] }) =>
    r.code === 0 && r.output === '' && r.written.length === 0;

  it('runs nothing: no output, exit 0, no file written', async () => {
    assert.ok(commands.length >= 5, `found ${commands.join(', ')}`);
    // all in one process; when that is not clean, one process each names the culprits
    if (clean(await importInChild(commands))) return;
    const each = await Promise.all(commands.map((f) => importInChild([f])));
    assert.deepEqual(
      each.filter((r) => !clean(r)),
      [],
      'a command module ran something when imported',
    );
    assert.fail('importing the command modules together ran something, though none does alone');
  });
});
