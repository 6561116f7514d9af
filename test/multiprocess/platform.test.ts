// Every other multi-process case (./cases): database outages, crashed workers, the ledger, login
// throttling, segments under load, SQLite's busy lock. See erasure-and-email.test.ts for the split.
import { isErasureOrEmail, isJourneys, runCases } from './run-cases.ts';

await runCases((file) => !isErasureOrEmail(file) && !isJourneys(file));
