// `npm run build` (and `prepare`, which `npm ci` runs): compiles the command line into dist/ with
// esbuild, so `assent` starts without a TypeScript loader. One bundle of our own code (packages stay
// imports of node_modules), split at the CLI's dynamic imports: `assent --help` loads the command
// definitions only, a command loads what it runs. The residue reader is its own entry, because the
// erasure forks it as a separate process (src/modules/dsr/residue/residue.readers.ts).
//
// dist/.built is written last, with the time the build STARTED as its mtime: bin/assent.js runs
// dist/ only while no source under src/ is newer than that (bin/fresh.js), so an edit made during
// or after a build is never shadowed by older compiled code.
//
// Other processes may be running dist/ while it is rebuilt (tests in parallel, a server): each file
// is written beside its place and renamed over it, and files of older builds are removed only when
// they are an hour old, so a running process still finds the chunks its entry names.
//
// Without esbuild (an install that left out devDependencies) nothing is built and this exits 0:
// bin/assent.js then runs the sources through tsx, slower but the same code.
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFresh, STAMP } from '../bin/fresh.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;

/** Builds when a source is newer than dist/ (or always, with `force`); true when dist/ is fresh after. */
export async function build({ quiet = false, force = false } = {}) {
  if (!force && isFresh(root)) return true;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (!quiet) console.warn('build: esbuild is not installed; `assent` will run the sources through tsx');
    return false;
  }
  const started = new Date();
  const t0 = performance.now();
  mkdirSync(dist, { recursive: true });
  const out = await esbuild.build({
    write: false,
    absWorkingDir: root,
    entryPoints: {
      cli: 'src/cli/main.ts',
      'residue.reader': 'src/modules/dsr/residue/residue.reader.ts',
      // The import's checking thread (off by default, see import.service.ts), started beside its chunk.
      'import.check.worker': 'src/modules/contacts/import.check.worker.ts',
    },
    bundle: true,
    splitting: true,
    // Chunks beside the entries: code that finds a file next to itself (import.meta.url) sees dist/.
    chunkNames: '[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: dist,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // Code that names a file beside itself (`new URL('./x.ts', import.meta.url)`: a process to
  // fork, a worker thread) finds dist/ there once bundled: each such file must be an entry above,
  // compiled to dist/x.js, and the code must take the .js when it is there (residue.readers.ts).
  const names = new Set(out.outputFiles.map((f) => basename(f.path)));
  for (const f of out.outputFiles.filter((f) => f.path.endsWith('.js'))) {
    for (const m of f.text.matchAll(/new URL\("\.\/([\w.-]+)\.ts", import\.meta\.url\)/g))
      if (!names.has(`${m[1]}.js`))
        throw new Error(`${basename(f.path)} opens ./${m[1]}.ts beside itself: add it to the entries in scripts/build.mjs`);
  }
  const written = new Set([STAMP]);
  for (const f of out.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
    written.add(basename(f.path));
  }
  for (const name of readdirSync(dist)) {
    const p = `${dist}/${name}`;
    if (!written.has(name) && Date.now() - statSync(p).mtimeMs > 3600_000) rmSync(p, { force: true });
  }
  closeSync(openSync(`${dist}/${STAMP}`, 'w'));
  utimesSync(`${dist}/${STAMP}`, started, started);
  if (!quiet) console.log(`build: dist/ compiled in ${Math.round(performance.now() - t0)} ms`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await build({ quiet: process.argv.includes('--quiet'), force: process.argv.includes('--force') });
  } catch (e) {
    console.error(`build failed: ${e.message}`);
    process.exit(1);
  }
}
