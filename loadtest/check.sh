#!/usr/bin/env bash
# Type-checks every k6 script (k6/*.js) with TypeScript against k6's published type definitions (@types/k6),
# strict mode on. k6 itself is not needed. Exits non-zero, with tsc's messages, on any type error.
# Run from anywhere: bash loadtest/check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v npm >/dev/null 2>&1; then
  echo "loadtest/check.sh: npm not found; install Node.js and npm (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi

# Install the pinned tools from package-lock.json when they are missing or older than the lock file.
if [ ! -x node_modules/.bin/tsc ] || [ ! -f node_modules/@types/k6/package.json ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "loadtest/check.sh: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

status=0
node_modules/.bin/tsc -p . --pretty false || status=$?
if [ "$status" -ne 0 ]; then
  echo "loadtest/check.sh: FAILED: the k6 scripts have type errors (tsc exit $status)" >&2
  exit "$status"
fi
count=$(ls k6/*.js | wc -l)
echo "loadtest/check.sh: OK: $count k6 scripts type-check against @types/k6 $(node -p 'require("./node_modules/@types/k6/package.json").version') (tsc $(node_modules/.bin/tsc --version | cut -d' ' -f2), strict)"
