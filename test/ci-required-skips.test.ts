import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { describeSkips, requiredSkips, type Skipped } from '../scripts/test-skips.mjs';

// The check behind `.ci/run` failing when the browser tests were skipped (issue 13 acceptance):
// scripts/test-skips.mjs, a node:test reporter, records every skipped test with its file and
// reason; scripts/test.mjs fails the run, under ASSENT_REQUIRE_BROWSER=1, when one of them is in
// test/browser/. Here the reporter runs on a real node:test run of files laid out like ours.

const run = promisify(execFile);
const REPORTER = new URL('../scripts/test-skips.mjs', import.meta.url).pathname;

describe('required browser tests', () => {
  const root = mkdtempSync(join(tmpdir(), 'assent-skips-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  /** The reporter's record of a node:test run of `files` under `root`. */
  async function skippedIn(files: string[]): Promise<Skipped[]> {
    const out = join(root, 'skips.json');
    // A run of its own, not a child of this one (node:test marks its children through NODE_TEST_CONTEXT).
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    await run(process.execPath, ['--test', `--test-reporter=${REPORTER}`, `--test-reporter-destination=${out}`, ...files], {
      cwd: root,
      env,
    });
    return JSON.parse(readFileSync(out, 'utf8')) as Skipped[];
  }

  it('fails a run whose browser suites were skipped for want of Chromium, only where they are required', async () => {
    // As a browser test file declares its flows: a suite per dialect, skipped with the harness's reason.
    file(
      'test/browser/flow.test.mjs',
      "import { describe, it } from 'node:test';\n" +
        "for (const d of ['sqlite', 'postgres']) describe('flow [' + d + ']', { skip: 'no browser at /usr/bin/chromium' }, () => {\n" +
        "  it('logs in', () => {});\n});\n",
    );
    // A skip elsewhere is not the browser's business.
    file(
      'test/http/other.test.mjs',
      "import { it } from 'node:test';\nit('later', { skip: 'not yet' }, () => {});\nit('runs', () => {});\n",
    );
    const skipped = await skippedIn(['test/browser/flow.test.mjs', 'test/http/other.test.mjs']);
    assert.deepEqual(skipped.map((s) => s.name).sort(), ['flow [postgres]', 'flow [sqlite]', 'later']);

    const failing = requiredSkips(skipped, { required: true, root });
    assert.deepEqual(failing.map((s) => s.name).sort(), ['flow [postgres]', 'flow [sqlite]']);
    assert.deepEqual(requiredSkips(skipped, { required: false, root }), []);
    const lines = describeSkips(failing);
    assert.match(lines[0]!, /^Browser tests were SKIPPED \(2\): no browser at \/usr\/bin\/chromium$/);
    assert.match(lines.at(-1)!, /ASSENT_REQUIRE_BROWSER=1/);
  });

  it('passes a run whose browser tests ran', async () => {
    file('test/browser/ran.test.mjs', "import { describe, it } from 'node:test';\ndescribe('flow', () => { it('logs in', () => {}); });\n");
    const skipped = await skippedIn(['test/browser/ran.test.mjs', 'test/http/other.test.mjs']);
    assert.deepEqual(
      skipped.map((s) => s.name),
      ['later'],
    );
    assert.deepEqual(requiredSkips(skipped, { required: true, root }), []);
  });

  it('.ci/run installs Chromium when it is missing and requires the browser tests', () => {
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    assert.match(ci, /\[ -x \/usr\/bin\/chromium \] \|\| missing\+=\(chromium\)/);
    assert.match(ci, /^export ASSENT_REQUIRE_BROWSER=1$/m);
    assert.match(ci, /'Browser tests were SKIPPED'/);
    // The marker test.mjs prints is the one .ci/run looks for.
    assert.ok(describeSkips([{ file: null, name: 'x', reason: null }])[0]!.startsWith('Browser tests were SKIPPED'));
  });
});
