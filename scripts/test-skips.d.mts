// Types of scripts/test-skips.mjs, for its test.
export interface Skipped {
  file: string | null;
  name: string;
  reason: string | null;
}
export default function skippedTests(source: AsyncIterable<{ type: string; data?: unknown }>): AsyncGenerator<string>;
export declare const BROWSER_TESTS: string;
export declare function requiredSkips(skipped: Skipped[], opts: { required: boolean; root: string }): Skipped[];
export declare function describeSkips(skips: Skipped[]): string[];
