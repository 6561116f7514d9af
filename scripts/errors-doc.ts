// Regenerates docs/errors.md from the code catalogue (`npm run docs:errors`).
import { writeFileSync } from 'node:fs';
import { ERROR_CODES } from '../src/lib/errors.ts';

const lines = [
  '# Error codes',
  '',
  'Every error the API returns has the shape `{"error":{"code","message","details"?}}`. Clients match on `code`; `message` is for ' +
    'people and may change. `details` (when present) is a list of `{in, path, message}` for validation errors, or a small object (for ' +
    'example `retryAfter` seconds for `rate_limited`).',
  '',
  'This table is checked against `src/lib/errors.ts` by `test/consistency.test.ts`; regenerate it with `npm run docs:errors`.',
  '',
  '| code | HTTP status | meaning |',
  '|---|---|---|',
  ...Object.entries(ERROR_CODES).map(([k, v]) => `| \`${k}\` | ${v.status} | ${v.description} |`),
  '',
  'The CLI prints `assent: CODE: message` on standard error and exits non-zero.',
  '',
];
writeFileSync(new URL('../docs/errors.md', import.meta.url), lines.join('\n'));
