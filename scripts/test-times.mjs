// A node:test reporter that writes, as one JSON object, each test file's time: the sum of its
// top-level tests' durations (they run one after another inside the file's process), without
// the process's start. scripts/test.mjs prints the slowest from it.
export default async function* fileTimes(source) {
  const times = {};
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      times[event.data.file] = (times[event.data.file] ?? 0) + (event.data.details?.duration_ms ?? 0);
    }
  }
  yield JSON.stringify(times);
}
