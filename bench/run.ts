// `npm run bench [name…]` runs bench/<name>.bench.ts, or every *.bench.ts when no name is given.
// Each file exports `run(): Promise<void>`, which prints its figures and its ratio to a baseline.
import { readdirSync } from 'node:fs';

const dir = new URL('.', import.meta.url);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`no benchmark named ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(1);
}

for (const name of wanted.length > 0 ? wanted : available) {
  const mod = (await import(new URL(`${name}.bench.ts`, dir).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') throw new Error(`bench/${name}.bench.ts exports no run()`);
  console.log(`— ${name}`);
  await mod.run();
}
