#!/usr/bin/env bash
# Runs every test of the project: formatting, vet, the Go tests with the race detector (unit, contract, end-to-end
# with real processes and headless Chromium), a short fuzz run of each decoder, and the k6 scripts' type check.
# It installs what the tests need (Chromium, Node packages) and fails loudly when it cannot; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

need_apt() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

if [ -d e2e ] && grep -rqs chromedp e2e; then
  need_apt chromium
  export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
  [ -x "$CHROME_PATH" ] || { echo "Chromium is missing at $CHROME_PATH" >&2; exit 1; }
fi

say "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted" >&2; exit 1; fi

say "go vet"
go vet ./...

say "go test -race"
go test -race -count=1 -timeout 12m ./...

say "fuzz (short runs; the corpora are committed)"
for target in $(grep -rhoE '^func (Fuzz[A-Za-z0-9_]+)' --include='*_test.go' . | awk '{print $2}' | sort -u); do
  pkg=$(dirname "$(grep -rlE "^func $target\(" --include='*_test.go' . | head -n1)")
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="${FUZZTIME:-10s}" "$pkg"
done

if [ -x loadtest/check.sh ]; then
  say "k6 scripts type check"
  loadtest/check.sh
fi
say "all tests passed"
