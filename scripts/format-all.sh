#!/usr/bin/env bash
# The whole tree in the house format, once: the formatter, Biome's safe fixes, the few unsafe
# fixes reviewed for this code base (below), and the rewrap of what the formatter cannot wrap
# (comments, strings). After it, `npm run lint` passes. It changes files: run it on a clean
# tree and review the diff like any other commit.
set -euo pipefail
cd "$(dirname "$0")/.."
biome=node_modules/.bin/biome

"$biome" format --write >/dev/null
# Safe fixes: what Biome can fix without changing behaviour.
"$biome" check --write >/dev/null || true
# Unsafe fixes, reviewed here and safe in this code: `!x || !x.y` as `!x?.y`, an unused
# parameter named with a leading underscore.
"$biome" lint --write --unsafe --only=complexity/useOptionalChain --only=correctness/noUnusedFunctionParameters >/dev/null || true
# What the formatter cannot wrap, then the formatter again for the pieces; twice, as a
# rewrapped line can move what follows it.
for _ in 1 2; do
  node scripts/long-lines.mjs --fix
  "$biome" format --write >/dev/null
done
npm run --silent lint
