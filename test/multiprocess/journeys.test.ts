// The multi-process cases about journeys (./cases/journeys-*): workers SIGKILLed while journeys
// send. A file of its own so that the test runner's two lanes share the harness's minutes.
import { isJourneys, runCases } from './run-cases.ts';

await runCases(isJourneys);
