// The multi-process harness: the cases in ./cases a test file selects, each on the dialects it
// names, one at a time (each starts several processes; the machine is shared). After every case
// its processes are stopped and the shared checks run on what is left in the database.
// ASSENT_HARNESS_CASES=a,b runs only the cases whose file name contains one of the words;
// ASSENT_HARNESS_SCALE=N raises rounds for a soak outside CI.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DIALECTS } from '../helpers/db.ts';
import { invariantProblems } from './checks.ts';
import type { HarnessCase } from './harness.ts';
import { Installation } from './installation.ts';

const dir = new URL('./cases/', import.meta.url);
const only = (process.env.ASSENT_HARNESS_CASES ?? '').split(',').filter(Boolean);

/** The case files, by name. */
export function caseFiles(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.case.ts'))
    .sort();
}

/** The cases erasure-and-email.test.ts runs; journeys.test.ts runs the journeys', platform.test.ts the rest. */
export const isErasureOrEmail = (file: string) => file.startsWith('erasure-') || file.startsWith('email-');
export const isJourneys = (file: string) => file.startsWith('journeys-');

/** Declares the tests of the cases `select` picks (and ASSENT_HARNESS_CASES lets through). */
export async function runCases(select: (file: string) => boolean): Promise<void> {
  const files = caseFiles()
    .filter(select)
    .filter((f) => only.length === 0 || only.some((w) => f.includes(w)));
  for (const file of files) await declareCase(file);
}

async function declareCase(file: string): Promise<void> {
  const { harnessCase } = (await import(new URL(file, dir).href)) as { harnessCase: HarnessCase };
  describe(`multi-process: ${file.replace(/\.case\.ts$/, '')}`, () => {
    for (const d of DIALECTS.filter((x) => harnessCase.dialects.includes(x.name))) {
      it(`${harnessCase.name} [${d.name}]`, { skip: d.skip, timeout: harnessCase.timeoutMs }, async (t) => {
        const started: Installation[] = [];
        const deferred: (() => Promise<void>)[] = [];
        const began = Date.now();
        try {
          await harnessCase.run({
            dialect: d.name,
            start: async (opts = {}) => {
              const inst = await Installation.start({ ...opts, dialect: d.name });
              started.push(inst);
              return inst;
            },
            note: (m) => t.diagnostic(m),
            defer: (fn) => void deferred.push(fn),
          });
          for (const inst of started) {
            await inst.stopProcesses();
            assert.deepEqual(inst.crashes(), [], 'no process exited on its own');
            assert.deepEqual(await invariantProblems(inst), [], 'the shared checks after the case');
          }
        } catch (e) {
          for (const inst of started)
            for (const p of inst.processes()) if (p.log().trim()) t.diagnostic(`${p.name} output:\n${p.log().slice(-4000)}`);
          throw e;
        } finally {
          for (const inst of started) await inst.close();
          for (const fn of deferred.reverse()) await fn();
          t.diagnostic(`took ${((Date.now() - began) / 1000).toFixed(1)} s`);
        }
      });
    }
  });
}
