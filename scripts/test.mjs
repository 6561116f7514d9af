// `npm test`: runs every test file under node:test (via tsx) on SQLite, and on PostgreSQL
// when a server is reachable: DATABASE_URL=postgres://… names one, or a throwaway cluster is
// started from the locally installed server binaries. It says loudly when PostgreSQL is skipped;
// with ASSENT_REQUIRE_PG=1 (set by .ci/run) a skip is a failure. With ASSENT_REQUIRE_BROWSER=1
// (set by .ci/run too) a skipped browser test (test/browser/, skipped when Chromium is missing)
// fails the run as well.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { adminStale, buildAdmin } from './build-admin.mjs';
import { build } from './build.mjs';
import { startCluster } from './pg-cluster.mjs';
import { describeSkips, requiredSkips } from './test-skips.mjs';

const root = new URL('..', import.meta.url).pathname;
const scriptStart = performance.now();

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ['src', 'test', 'admin']
  .flatMap((d) => {
    try {
      return findTests(join(root, d));
    } catch {
      return [];
    }
  })
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// The tests run `assent` as an operator does (bin/assent.js): the compiled command line, built
// here when a source is newer, so no test runs code older than the sources.
try {
  await build();
  // The console too, once, before any test file runs: browser test files run in parallel and
  // must not build it at the same time (test/helpers/console.ts builds it only when run alone).
  if (adminStale()) await buildAdmin({ quiet: true });
} catch (e) {
  console.error(`build failed: ${e.message}`);
  process.exit(1);
}

let cluster = null;
const env = { ...process.env };
delete env.ASSENT_TEST_PG_URL;
delete env.ASSENT_TEST_PG_DATA;
delete env.ASSENT_TEST_PG_TEMPLATE;
const TEMPLATE = 'assent_test_template';
if (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '')) {
  env.ASSENT_TEST_PG_URL = process.env.DATABASE_URL;
  console.log(`PostgreSQL: using the server named by DATABASE_URL`);
} else {
  try {
    cluster = await startCluster();
  } catch (e) {
    console.error(`PostgreSQL: could not start a throwaway cluster: ${e.message}`);
  }
  if (cluster) {
    env.ASSENT_TEST_PG_URL = cluster.url;
    // One migrated database that each test's fresh database copies (test/helpers/db.ts).
    const made = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/pg-template.ts', cluster.url, TEMPLATE], {
      cwd: root,
      stdio: 'inherit',
    });
    if (made.status === 0) env.ASSENT_TEST_PG_TEMPLATE = TEMPLATE;
    else console.log('PostgreSQL: no migrated template database; each test database runs the migrations itself');
    // Where the cluster keeps its files: a test greps them for an erased person's bytes. A
    // server named by DATABASE_URL has no directory here, and that test is skipped.
    env.ASSENT_TEST_PG_DATA = cluster.data;
    console.log(`PostgreSQL: throwaway cluster at ${cluster.url.replace(/\/\/.*@/, '//')}`);
  }
}
if (!env.ASSENT_TEST_PG_URL) {
  console.log(
    'PostgreSQL: SKIPPED — no server binaries found (apt-get install postgresql) and DATABASE_URL names no server. Database tests ' +
      'run on SQLite only.',
  );
  if (process.env.ASSENT_REQUIRE_PG === '1') {
    console.error('PostgreSQL is required here (ASSENT_REQUIRE_PG=1): failing.');
    process.exit(1);
  }
}
delete env.DATABASE_URL; // tests build their own databases; never touch the operator's

const stop = () => cluster?.stop();
process.on('SIGINT', () => {
  stop();
  process.exit(130);
});

const concurrency = process.env.ASSENT_TEST_CONCURRENCY ?? '2';
// The spec reporter for people, and each file's time (scripts/test-times.mjs) for the summary at the end.
const timesFile = join(mkdtempSync(join(tmpdir(), 'assent-test-times-')), 'times.json');
// Every skipped test with its file and reason (scripts/test-skips.mjs), for the browser check.
const skipsFile = join(dirname(timesFile), 'skips.json');
const startedAt = performance.now();
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    // A test that waits for ever (an event listened for after it fired) fails by name after ten
    // minutes instead of holding the whole run until CI's limit; a test may set a longer timeout.
    '--test-timeout=600000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/test-times.mjs',
    `--test-reporter-destination=${timesFile}`,
    '--test-reporter=./scripts/test-skips.mjs',
    `--test-reporter-destination=${skipsFile}`,
    ...files,
  ],
  {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
/** Each file's time, from scripts/test-times.mjs; none when the run died before writing them. */
function fileTimes() {
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(timesFile, 'utf8'))));
  } catch {
    return new Map();
  }
}
/** The skipped tests, from scripts/test-skips.mjs; none when the run died before writing them. */
function skippedTests() {
  try {
    return JSON.parse(readFileSync(skipsFile, 'utf8'));
  } catch {
    return [];
  }
}

let pass = 0;
let fail = 0;
let skipped = 0;
let buf = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  buf += chunk.toString();
});
child.on('close', (code) => {
  stop();
  for (const line of buf.split('\n')) {
    const m = /^ℹ (pass|fail|skipped) (\d+)/.exec(line.trim());
    if (m) {
      if (m[1] === 'pass') pass = Number(m[2]);
      if (m[1] === 'fail') fail = Number(m[2]);
      if (m[1] === 'skipped') skipped = Number(m[2]);
    }
  }
  if (!env.ASSENT_TEST_PG_URL) console.log('PostgreSQL was SKIPPED in this run.');
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const times = fileTimes();
  const browserSkips = requiredSkips(skippedTests(), { required: process.env.ASSENT_REQUIRE_BROWSER === '1', root });
  rmSync(dirname(timesFile), { recursive: true, force: true });
  if (browserSkips.length) for (const line of describeSkips(browserSkips)) console.log(line);
  const slowest = [...times].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (slowest.length) {
    console.log(`slowest test files (of ${times.size}, each its process's wall time; ${concurrency} files at a time):`);
    for (const [file, ms] of slowest)
      console.log(`  ${seconds(ms).padStart(8)}  ${relative(root, file.startsWith('/') ? file : join(root, file))}`);
  }
  console.log(
    `suite wall time: ${seconds(performance.now() - startedAt)} (${seconds(performance.now() - scriptStart)} with the PostgreSQL ` +
      `cluster's start and template)`,
  );
  // Skipped browser tests that were required count as one failure in the closing line.
  const failed = fail + (browserSkips.length ? 1 : 0);
  console.log(`${pass} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(browserSkips.length ? 1 : (code ?? 1));
});
