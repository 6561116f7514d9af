// What a harness case is. A case is one file in ./cases named `<name>.case.ts` exporting
// `harnessCase`; run-cases.ts finds it (for erasure-and-email.test.ts or platform.test.ts), runs
// it once per dialect it names, and after it stops the installation's processes and runs the
// shared checks (checks.ts).
import type { Dialect } from '../../src/db/connect.ts';
import type { Installation, StartOptions } from './installation.ts';

export interface CaseContext {
  dialect: Dialect;
  /** Starts an installation on this dialect; the runner stops, checks and removes it afterwards. */
  start(opts?: Omit<StartOptions, 'dialect'>): Promise<Installation>;
  /** A line for the test report: rounds, counts, timings. */
  note(message: string): void;
  /** Runs once the case's installations are stopped, checked and removed (an SMTP sink the processes used, say). */
  defer(cleanup: () => Promise<void>): void;
}

export interface HarnessCase {
  /** What the case shows, as the test's title. */
  name: string;
  dialects: Dialect[];
  /** Per dialect; processes start slowly on a busy machine, so be generous. */
  timeoutMs: number;
  run(ctx: CaseContext): Promise<void>;
}
