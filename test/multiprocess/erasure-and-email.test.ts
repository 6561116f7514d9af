// The multi-process cases about erasure and email (./cases/erasure-*, email-*). The harness is
// split in two files so that the test runner's two lanes share its minutes: it sorts files by
// path, which starts the harness near the end of a run.
import { isErasureOrEmail, runCases } from './run-cases.ts';

await runCases(isErasureOrEmail);
