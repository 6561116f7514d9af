// A node:test reporter that writes, as one JSON object, each test file's wall time: the run
// reports a file's end (`test:complete` named after the file) with the time its process took,
// start included. Tests' own events name the file that declared them, which for a suite built
// by a helper (forEachDialect) is the helper, so they are not used. scripts/test.mjs prints the
// slowest files from it.
export default async function* fileTimes(source) {
  const times = {};
  for await (const event of source) {
    const { name, file, details } = event.data ?? {};
    if (event.type === 'test:complete' && file && name === file) times[file] = details?.duration_ms ?? 0;
  }
  yield JSON.stringify(times);
}
