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

say "go mod tidy -diff"
go mod tidy -diff
echo "go.mod and go.sum are tidy"

# The lint tests (app: promtool on a live /metrics scrape; handlers: Redocly on /api/openapi.json) need promtool
# (Debian's prometheus package) and the pinned Redocly CLI (tools/redocly, npm ci from its lock file).
say "lint tools: promtool, Redocly CLI"
command -v promtool >/dev/null 2>&1 || need_apt prometheus
command -v promtool >/dev/null 2>&1 || { echo "promtool is missing after installing prometheus" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || need_apt nodejs npm
if [ ! -x tools/redocly/node_modules/.bin/redocly ] || [ tools/redocly/package-lock.json -nt tools/redocly/node_modules/.package-lock.json ]; then
  (cd tools/redocly && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "$(promtool --version 2>&1 | head -n1); Redocly CLI $(tools/redocly/node_modules/.bin/redocly --version 2>/dev/null | tail -n1)"
# The store contract tests and e2e run a throwaway PostgreSQL cluster (internal/pgtest) from Debian's server binaries.
need_apt postgresql

say "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted" >&2; exit 1; fi

say "go vet"
go vet ./...

say "go test -race"
json=$(mktemp)
trap 'rm -f "$json"' EXIT
set +e
go test -race -count=1 -timeout 12m -json ./... >"$json"
status=$?
set -e
# One line per package, the output of every failed test, then the count of tests (subtests included).
grep -E '"Action":"(pass|fail|skip)","Package":"[^"]*","Elapsed"' "$json" \
  | sed -E 's/.*"Action":"([a-z]+)","Package":"([^"]*)","Elapsed":([0-9.]+).*/\1  \2  \3s/' || true
if [ "$status" -ne 0 ]; then
  go run ./scripts/testreport <"$json" >&2 || true
fi
passed=$(grep -c '"Action":"pass","Package":"[^"]*","Test"' "$json" || true)
failed=$(grep -c '"Action":"fail","Package":"[^"]*","Test"' "$json" || true)
skipped=$(grep -c '"Action":"skip","Package":"[^"]*","Test"' "$json" || true)
echo "go test: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ]; then echo "go test failed (exit $status)" >&2; exit "$status"; fi
if [ "$skipped" -ne 0 ]; then echo "tests were skipped; nothing may be skipped here" >&2; exit 1; fi
# The hygiene checks ran as Go tests above; name each one, so the output shows it passed (and it cannot vanish).
for check in TestModuleIsTidy TestMetricsPassPromtool TestPromtoolRefusesABadPage \
  TestOpenAPIPassesRedoclyRecommended TestRedoclyRefusesABrokenDocument TestCitedDocumentsAndSectionsExist \
  TestSecurityDocNamesRealTests TestDockerfileBuildGivesStaticBinariesThatAnswerHelp TestDocsStayInsideTheRepo; do
  if grep -qE "\"Action\":\"pass\",\"Package\":\"[^\"]*\",\"Test\":\"${check}\"" "$json"; then
    echo "check passed: $check"
  else
    echo "check $check did not pass (or did not run)" >&2
    exit 1
  fi
done

# Allocation budgets are checked without the race detector, which changes what allocates (sync.Pool drops items
# at random under it): those tests carry the build tag !race, so the run above does not see them.
say "allocation budgets (no race detector)"
budget_json=$(mktemp)
go test -count=1 -run '^TestAuthenticatedGETAllocationBudget$' -json ./handlers/ >"$budget_json" || true
grep -oE '[0-9.]+ allocations per authenticated GET at [A-Z]+ \(budget [0-9]+\)' "$budget_json" || true
if grep -qE '"Action":"pass","Package":"[^"]*","Test":"TestAuthenticatedGETAllocationBudget"' "$budget_json"; then
  echo "check passed: TestAuthenticatedGETAllocationBudget"
else
  grep -oE '"Output":"[^"]*"' "$budget_json" | tail -n 20 >&2
  echo "check TestAuthenticatedGETAllocationBudget did not pass (or did not run)" >&2
  exit 1
fi

# Fuzz budgets are counts of calls (-fuzztime Nx), not durations: with a duration, go1.26's fuzz coordinator can
# report its own deadline as a failure ("context deadline exceeded" with no failing input; golang/go#75804,
# fixed in go1.27). Each count is about 10 s of fuzzing on a 2-core machine; minimising an input that finds new
# coverage is capped by count too. FUZZTIME overrides every budget (a count like 500000x, or a duration).
fuzz_budget() {
  case "$1" in
    FuzzRequestBody) echo 8000x ;;
    FuzzAuthorizationHeader) echo 40000x ;;
    FuzzRequest) echo 40000x ;;
    FuzzParsePayload | FuzzParseToken) echo 75000x ;;
    FuzzOpen) echo 100000x ;;
    *) echo 20000x ;;
  esac
}
say "fuzz (short runs; the corpora are committed)"
for target in $(grep -rhoE '^func (Fuzz[A-Za-z0-9_]+)' --include='*_test.go' . | awk '{print $2}' | sort -u); do
  pkg=$(dirname "$(grep -rlE "^func $target\(" --include='*_test.go' . | head -n1)")
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="${FUZZTIME:-$(fuzz_budget "$target")}" -fuzzminimizetime=500x "$pkg"
done

say "k6 scripts type check (tsc against @types/k6)"
command -v npm >/dev/null 2>&1 || need_apt nodejs npm
bash loadtest/check.sh
say "all tests passed"
