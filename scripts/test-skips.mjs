// A node:test reporter that writes, as one JSON array, every test or suite the run skipped: its
// file, name and the reason given. scripts/test.mjs reads it to fail a run whose browser tests
// were skipped where they are required (ASSENT_REQUIRE_BROWSER=1, set by .ci/run): the browser
// harness skips them, with the reason, when Chromium is missing (test/browser/harness.ts).
export default async function* skippedTests(source) {
  const skipped = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, file, skip } = event.data ?? {};
    // A skipped suite is reported once, with its reason; the tests inside it are not reported.
    if (skip !== undefined && skip !== false) skipped.push({ file: file ?? null, name, reason: skip === true ? null : String(skip) });
  }
  yield JSON.stringify(skipped);
}

/** The folder whose tests drive the console in a browser. */
export const BROWSER_TESTS = 'test/browser/';

/**
 * The skipped tests that make a run fail: with `required`, every skip declared in a browser
 * test file (whatever the reason: a browser test that did not run checked nothing). Paths are
 * compared relative to `root`, with forward slashes.
 */
export function requiredSkips(skipped, { required, root }) {
  if (!required) return [];
  const base = root.replace(/\\/g, '/').replace(/\/?$/, '/');
  return skipped.filter((s) => {
    const file = (s.file ?? '').replace(/\\/g, '/');
    const rel = file.startsWith(base) ? file.slice(base.length) : file;
    return rel.startsWith(BROWSER_TESTS);
  });
}

/** The lines test.mjs prints about them, naming each skipped suite and why. */
export function describeSkips(skips) {
  const reasons = [...new Set(skips.map((s) => s.reason ?? 'no reason given'))];
  return [
    `Browser tests were SKIPPED (${skips.length}): ${reasons.join('; ')}`,
    ...skips.slice(0, 10).map((s) => `  skipped: ${s.name}`),
    'Browser tests are required here (ASSENT_REQUIRE_BROWSER=1): failing.',
  ];
}
