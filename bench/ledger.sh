#!/usr/bin/env bash
# bench/ledger.sh: the cost ledger of the BFF's own work (issue 18). What each piece of work the BFF does beyond
# the minimal Fiber forwarder (bench/floor, target F of bench/run.sh) costs per request, measured by leaving it out.
#
#   bash bench/ledger.sh            about 12 minutes
#   QUICK=1 bash bench/ledger.sh    about 3 minutes: checks the harness, figures not for quoting
#
# Every piece has a build tag of its own (internal/ledger): a build with the tag leaves that piece out and keeps
# everything else; without tags (every real build) nothing is left out. The script builds bin/bff once per tag
# plus once plain, starts them all (and bench/floor) in front of one fixed-answer upstream (nginx returning a
# fixed JSON body: bench/nginx-fixed.conf.tmpl, as in bench/run.sh), each on the servers' CPU, and runs wrk against
# each in turn, ROUNDS rounds: every variant (and F) right after a run of the plain build, compared with that run.
# A variant's saving is what the server process's own CPU time per request (utime+stime from /proc over the
# requests served) drops by; the other work on a shared host disturbs that far less than throughput, which is
# reported beside (1e6/rps, microseconds per request with one server core under PIN=split). Its share is the
# saving over the CPU gap between the plain build and F. The access log line is a setting, not a tag: "log line
# at info" is the plain
# build with LOG_LEVEL=info against the plain build at warn (bench/run.sh's level). The cookie open is the floor's
# work too, so it is not a switch: its cost is BenchmarkOpen of package session, reported beside.
#
# Then the Go benchmark of the same path without a socket on the BFF's side (handlers
# BenchmarkAuthenticatedGETFixedUpstream/revocations=0) with each tag: ns/op and allocs/op.
#
# Leaving a piece out and measuring the difference cannot resolve a piece worth 1 µs on a host whose runs of one
# build differ by 10 µs; so the ledger also splits the plain build's CPU time by piece from one profile: the plain
# BFF with Go's profiler (bench/bffprof) serves wrk for PROFILE_SECS, and `benchtool attribute` gives each CPU
# sample to the innermost frame that belongs to a piece (bench/benchtool/attribute.go lists the functions of each).
# The shares come from one run, so the host's drift moves them all together; times the CPU per request measured
# during that run, they are µs per request. It is done twice: at LOG_LEVEL=warn (as every other run here) and at
# info (the access log line written). Then the floor is profiled the same way (its PPROF_ADDR), and the two
# splits are compared piece by piece: where the BFF's extra CPU per request over the floor's goes.
#
# Settings: QUICK=1, PIN=split (default) or none, ROUNDS, DURATION, WARMUP, CONNS, BENCH_COUNT, PROFILE_SECS; OUT=file (default
# bench/out/ledger.md); KEEP=1 keeps the temporary folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
QUICK=${QUICK:-0}
PIN=${PIN:-split}
if [ "$QUICK" = 1 ]; then
  ROUNDS=${ROUNDS:-1}; DURATION=${DURATION:-3}; WARMUP=${WARMUP:-1}; BENCH_COUNT=${BENCH_COUNT:-1}; PROFILE_SECS=${PROFILE_SECS:-5}
else
  ROUNDS=${ROUNDS:-6}; DURATION=${DURATION:-3}; WARMUP=${WARMUP:-1}; BENCH_COUNT=${BENCH_COUNT:-3}; PROFILE_SECS=${PROFILE_SECS:-30}
fi
CONNS=${CONNS:-64}
OUT=${OUT:-$ROOT/bench/out/ledger.md}
mkdir -p "$(dirname "$OUT")"
NCPU=$(nproc)
case "$PIN" in
  split) [ "$NCPU" -ge 2 ] || { echo "ledger: PIN=split needs 2 CPUs" >&2; exit 1; }; SRV_CPUS=0; LOAD_CPUS=1; THREADS=1 ;;
  none) SRV_CPUS="0-$((NCPU - 1))"; LOAD_CPUS=$SRV_CPUS; THREADS=$NCPU ;;
  *) echo "ledger: PIN must be split or none" >&2; exit 2 ;;
esac

log() { printf '%s ledger: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
for t in wrk nginx curl taskset; do command -v "$t" >/dev/null 2>&1 || die "$t is missing (bench/run.sh installs wrk, nginx, curl and taskset)"; done
NGINX=$(command -v nginx)

TMP=$(mktemp -d /tmp/ledger.XXXXXX)
PIDS=()
cleanup() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  if [ "${KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then log "logs kept in $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The pieces: name, build tag, what leaving it out removes.
PIECES=(
  "requestid|ledger_norequestid|request id (X-Request-ID, the id in logs)"
  "metrics|ledger_nometrics|metrics (per-route counters and histograms, in-flight gauge, MS call metrics)"
  "log|ledger_nolog|the access log path at warn (the level check; the line itself is the info row)"
  "disconnect|ledger_nodisconnect|disconnect watch (a client that leaves cancels its MS call)"
  "csrf|ledger_nocsrf|CSRF gate"
  "bodygate|ledger_nobodygate|body gate (size, type and memory budget of request bodies)"
  "cors|ledger_nocors|CORS (ALLOWED_ORIGINS set, as in bench/run.sh)"
  "breaker|ledger_nobreaker|circuit breaker wrapper around the MS call"
  "headers|ledger_noheaders|security headers of API answers"
  "revocation|ledger_norevocation|revocation check (the Mirror's memory look-up)"
)

log "building the plain BFF, one per ledger tag, the floor and the bench tool"
go build -o "$TMP/bff-plain" . || die "go build"
for p in "${PIECES[@]}"; do
  IFS='|' read -r name tag _ <<<"$p"
  go build -tags "$tag" -o "$TMP/bff-$name" . || die "go build -tags $tag"
done
go build -o "$TMP/floor" ./bench/floor
go build -o "$TMP/bffprof" ./bench/bffprof
go build -o "$TMP/benchtool" ./bench/benchtool
BT=$TMP/benchtool

wait_http() { for _ in $(seq 150); do curl -s -o /dev/null --max-time 1 "$1" && return 0; sleep 0.1; done; return 1; }

VARIANTS=(plain info)
for p in "${PIECES[@]}"; do IFS='|' read -r name _ _ <<<"$p"; VARIANTS+=("$name"); done
mapfile -t PORTS < <($BT ports -n $((${#VARIANTS[@]} + 7)))
FIX_PORT=${PORTS[0]}; FLOOR_PORT=${PORTS[1]}; PROF_PORT=${PORTS[-4]}; PPROF_PORT=${PORTS[-3]}
PROFI_PORT=${PORTS[-2]}; PPROFI_PORT=${PORTS[-1]}; FPPROF_PORT=${PORTS[-5]}
SESSION_KEYS=$(openssl rand -hex 32)

# The fixed-answer upstream: the body a MS GET /user gives, fixed.
BODY='{"id": 1, "name": "Load User", "username": "loaduser1", "email": "loaduser1@example.org", "bio": null, "location": null, "occupation": null, "organization": null, "slack_username": null, "social_media_links": null, "skills": null, "interests": null, "resume_url": null, "photo_url": null, "need_mentoring": false, "available_to_mentor": false, "is_email_verified": true, "registration_date": 1700000000.0}'
USER_LINE=""; [ "$(id -u)" = 0 ] && USER_LINE="user root root;"
NGX=$TMP/nginx-fixed; mkdir -p "$NGX"
WORKERS=1; [ "$PIN" = none ] && WORKERS=$NCPU
TMPL=$(sed -e "s#@DIR@#$NGX#g" -e "s#@WORKERS@#$WORKERS#g" -e "s#@PORT@#$FIX_PORT#g" -e "s#@USER_LINE@#$USER_LINE#g" \
  -e "s#@CONTENT_TYPE@#application/json#g" bench/nginx-fixed.conf.tmpl)
printf '%s\n' "${TMPL//@BODY@/$BODY}" >"$NGX/nginx.conf"
"$NGINX" -t -p "$NGX" -c "$NGX/nginx.conf" >"$NGX/test.log" 2>&1 || die "nginx -t: $(cat "$NGX/test.log")"
taskset -c "$SRV_CPUS" "$NGINX" -p "$NGX" -c "$NGX/nginx.conf" >>"$NGX/stdout.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$FIX_PORT/" || die "the fixed-answer upstream did not answer"
FIX_URL="http://127.0.0.1:$FIX_PORT"

declare -A PID
env PORT="$FLOOR_PORT" MS_BASE_URL="$FIX_URL" SESSION_KEYS="$SESSION_KEYS" PPROF_ADDR="127.0.0.1:$FPPROF_PORT" taskset -c "$SRV_CPUS" "$TMP/floor" >>"$TMP/floor.log" 2>&1 &
PIDS+=($!); PID[F]=$!
wait_http "http://127.0.0.1:$FLOOR_PORT/" || die "the floor did not answer"
declare -A URL
URL[F]="http://127.0.0.1:$FLOOR_PORT/api/user"
start_bff() { # start_bff NAME BINARY PORT LEVEL [ENV...]
  local v=$1 bin=$2 port=$3 level=$4; shift 4
  # As bench/run.sh's BFF: MS_JWT_SECRET set, one allowed origin (CORS on), an SQLite database (revocations kept).
  env HOST=127.0.0.1 PORT="$port" MS_BASE_URL="$FIX_URL" SESSION_KEYS="$SESSION_KEYS" MS_JWT_SECRET=ledger-secret \
    COOKIE_SECURE=false ALLOWED_ORIGINS="http://127.0.0.1:$port" LOG_LEVEL="$level" DATABASE_URL="sqlite:$TMP/bit-$v.db" "$@" \
    taskset -c "$SRV_CPUS" "$bin" >"$TMP/bff-$v.log" 2>&1 &
  PIDS+=($!); PID[$v]=$!
  wait_http "http://127.0.0.1:$port/healthz" || die "bff $v did not answer: $(tail -3 "$TMP/bff-$v.log")"
  URL[$v]="http://127.0.0.1:$port/api/user"
}
i=2
for v in "${VARIANTS[@]}"; do
  port=${PORTS[$i]}; i=$((i + 1))
  bin=$TMP/bff-$v; level=warn
  [ "$v" = info ] && { bin=$TMP/bff-plain; level=info; }
  start_bff "$v" "$bin" "$port" "$level"
done

field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
run_wrk() { # run_wrk VARIANT SECONDS COOKIE: prints "rps cpu_us", cpu_us the server's CPU time per request
  local out line t0 t1
  t0=$(cpu_ticks "${PID[$1]}")
  out=$(taskset -c "$LOAD_CPUS" wrk -t"$THREADS" -c"$CONNS" -d"${2}s" --timeout 5s -s bench/wrk.lua \
    -H "Cookie: bit_session=$3" "${URL[$1]}" 2>&1) || die "wrk $1: $out"
  t1=$(cpu_ticks "${PID[$1]}")
  line=$(printf '%s\n' "$out" | grep '^RESULT' | tail -1)
  [ "$(field non2xx "$line")" = 0 ] || die "wrk $1: non-2xx answers: $line"
  awk -v rps="$(field rps "$line")" -v n="$(field requests "$line")" -v d=$((t1 - t0)) -v tick="$TICK_US" \
    'BEGIN { printf "%s %.3f", rps, d * tick / n }'
}

# Each variant (and F) is measured right after a run of the plain build, in pairs, and compared with that run
# only: the host drifts (other work, clocks), and a pair's two runs are seconds apart. The order of the pairs
# rotates from round to round.
OTHERS=(F info)
for p in "${PIECES[@]}"; do IFS='|' read -r name _ _ <<<"$p"; OTHERS+=("$name"); done
log "throughput: $ROUNDS rounds of pairs (plain, X) for X in ${OTHERS[*]}; wrk -t$THREADS -c$CONNS -d${DURATION}s after ${WARMUP}s warm-up (PIN=$PIN)"
declare -A RPS PLAIN CPU PCPU
n=${#OTHERS[@]}
for r in $(seq "$ROUNDS"); do
  # A fresh cookie each round: a cookie whose last activity is more than 5 minutes old is re-sealed on every
  # answer (wrk never keeps the new one), which a browser's never is.
  COOKIE=$($BT seal -keys "$SESSION_KEYS")
  for k in $(seq 0 $((n - 1))); do
    v=${OTHERS[$(((k + r - 1) % n))]}
    run_wrk plain "$WARMUP" "$COOKIE" >/dev/null
    read -r PLAIN[$v,$r] PCPU[$v,$r] <<<"$(run_wrk plain "$DURATION" "$COOKIE")"
    run_wrk "$v" "$WARMUP" "$COOKIE" >/dev/null
    read -r RPS[$v,$r] CPU[$v,$r] <<<"$(run_wrk "$v" "$DURATION" "$COOKIE")"
    log "round $r: plain ${PLAIN[$v,$r]} req/s ${PCPU[$v,$r]} µs CPU/req, $v ${RPS[$v,$r]} req/s ${CPU[$v,$r]} µs CPU/req (load average $(cut -d' ' -f1 /proc/loadavg))"
  done
done

# Savings of V against its paired plain run, per round (µs/request), as "median min max".
us() { awk -v r="$1" 'BEGIN { printf "%.3f", 1e6 / r }'; }
med3() { sort -g | awk '{a[NR]=$1} END {if (NR%2) m=a[(NR+1)/2]; else m=(a[NR/2]+a[NR/2+1])/2; printf "%.2f %.2f %.2f", m, a[1], a[NR]}'; }
saving() { # saving V: the server's CPU per request of plain minus V's, µs, per round
  local r; for r in $(seq "$ROUNDS"); do awk -v p="${PCPU[$1,$r]}" -v v="${CPU[$1,$r]}" 'BEGIN{print p-v}'; done
}
tsaving() { # tsaving V: the same from throughput, 1e6/rps (one server core under PIN=split), per round
  local r; for r in $(seq "$ROUNDS"); do awk -v p="$(us "${PLAIN[$1,$r]}")" -v v="$(us "${RPS[$1,$r]}")" 'BEGIN{print p-v}'; done
}
read -r GAP GAPMIN GAPMAX <<<"$(saving F | med3)"
read -r AF AFMIN AFMAX <<<"$(for r in $(seq "$ROUNDS"); do awk -v a="${PLAIN[F,$r]}" -v f="${RPS[F,$r]}" 'BEGIN{print a/f}'; done | med3)"

# The split of the plain build's CPU time by piece, from one profile (see the top of this file): at warn (as
# every other run here) and at info (the access log line written).
profile_run() { # profile_run NAME PPROF_PORT: a CPU profile of NAME under wrk into $TMP/cpu-NAME.pprof; sets PR_RPS, PR_CPU
  COOKIE=$($BT seal -keys "$SESSION_KEYS")
  run_wrk "$1" "$WARMUP" "$COOKIE" >/dev/null
  curl -s -o "$TMP/cpu-$1.pprof" "http://127.0.0.1:$2/debug/pprof/profile?seconds=$PROFILE_SECS" &
  local curl_pid=$!
  sleep 0.2
  read -r PR_RPS PR_CPU <<<"$(run_wrk "$1" "$PROFILE_SECS" "$COOKIE")"
  wait "$curl_pid" || die "no CPU profile of $1"
}
profile_split() { # profile_split NAME LEVEL PORT PPROF_PORT: sets SPLIT_RPS, SPLIT_CPU, SPLIT_TABLE, SPLIT_TOP
  local v=$1
  start_bff "$v" "$TMP/bffprof" "$3" "$2" PPROF_ADDR="127.0.0.1:$4"
  log "profile: the plain BFF (bench/bffprof) at LOG_LEVEL=$2 under wrk for ${PROFILE_SECS}s"
  profile_run "$v" "$4"
  SPLIT_RPS=$PR_RPS; SPLIT_CPU=$PR_CPU
  SPLIT_TABLE=$($BT attribute -profile "$TMP/cpu-$v.pprof" -us "$SPLIT_CPU" -gap "$GAP") || die "benchtool attribute: $SPLIT_TABLE"
  SPLIT_TOP=$(go tool pprof -top -nodecount=20 "$TMP/bffprof" "$TMP/cpu-$v.pprof" 2>/dev/null | sed -n '/flat%/,$p')
  cp "$TMP/cpu-$v.pprof" "$(dirname "$OUT")/ledger-$v.pprof"
  log "profile at $2: $SPLIT_RPS req/s, $SPLIT_CPU µs CPU per request"
}
profile_split prof warn "$PROF_PORT" "$PPROF_PORT"
PROF_RPS=$SPLIT_RPS; PROF_CPU=$SPLIT_CPU; ATTRIB=$SPLIT_TABLE; PROF_TOP=$SPLIT_TOP
profile_split profinfo info "$PROFI_PORT" "$PPROFI_PORT"
IPROF_RPS=$SPLIT_RPS; IPROF_CPU=$SPLIT_CPU; IATTRIB=$SPLIT_TABLE
# The floor under the same load right after, profiled too: the BFF's CPU and the floor's, piece by piece.
log "profile: the floor under wrk for ${PROFILE_SECS}s"
profile_run F "$FPPROF_PORT"
FPROF_RPS=$PR_RPS; FPROF_CPU=$PR_CPU
COMPARE=$($BT attribute -profile "$TMP/cpu-prof.pprof" -us "$PROF_CPU" -floor "$TMP/cpu-F.pprof" -floor-us "$FPROF_CPU") ||
  die "benchtool attribute -floor: $COMPARE"
cp "$TMP/cpu-F.pprof" "$(dirname "$OUT")/ledger-floor.pprof"
log "profile of the floor: $FPROF_RPS req/s, $FPROF_CPU µs CPU per request"

log "Go benchmarks: handlers BenchmarkAuthenticatedGETFixedUpstream/revocations=0, plain and each tag alternately"
gobench() { # gobench TAGS: one run, "ns allocs"
  go test ${1:+-tags "$1"} -run XXX -bench 'AuthenticatedGETFixedUpstream/revocations=0$' -benchtime 20000x \
    -count 1 -benchmem ./handlers/ 2>/dev/null | awk '/^Benchmark/ {print $3, $7}'
}
declare -A GB_NS GB_ALLOCS
for p in "${PIECES[@]}"; do
  IFS='|' read -r name tag _ <<<"$p"
  diffs=""
  for _ in $(seq "$BENCH_COUNT"); do
    read -r pn pa <<<"$(gobench '')"
    read -r tn ta <<<"$(gobench "$tag")"
    diffs+="$((pn - tn)) "
  done
  GB_NS[$name]=$(tr ' ' '\n' <<<"$diffs" | grep . | med3 | cut -d' ' -f1)
  GB_ALLOCS[$name]=$((pa - ta))
  PLAIN_NS=$pn; PLAIN_ALLOCS=$pa
done
OPEN_NS=$(go test -run XXX -bench '^BenchmarkOpen$' -benchtime 200000x -count 1 ./session/ 2>/dev/null | awk '/^Benchmark/ {print $3}')

{
  echo "## Cost ledger $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "- command: \`QUICK=$QUICK PIN=$PIN bash bench/ledger.sh\`; commit $(git rev-parse --short HEAD)"
  echo "- machine: nproc $NCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- wrk -t$THREADS -c$CONNS -d${DURATION}s after ${WARMUP}s warm-up, $ROUNDS rounds; each variant right after a run of the plain build and compared with it; fixed-answer nginx upstream"
  echo "- plain BFF (A) against the floor (F): A/F throughput **$AF** (rounds $AFMIN–$AFMAX); the BFF's CPU per request is **$GAP µs** more than the floor's (rounds $GAPMIN–$GAPMAX), median A $(for r in $(seq "$ROUNDS"); do echo "${PCPU[F,$r]}"; done | med3 | cut -d' ' -f1) µs, F $(for r in $(seq "$ROUNDS"); do echo "${CPU[F,$r]}"; done | med3 | cut -d' ' -f1) µs"
  echo "- Go benchmark of the plain build: $PLAIN_NS ns/op, $PLAIN_ALLOCS allocs/op; the cookie open alone (session BenchmarkOpen, also done by F): $OPEN_NS ns/op"
  echo
  echo "| piece left out | saves µs of the BFF's CPU per request, median (rounds) | share of the A−F CPU gap | saves µs per request by throughput (median) | Go benchmark ns/op saved (median of pairs) | allocs/op saved |"
  echo "|---|---|---|---|---|---|"
  for p in "${PIECES[@]}" "info|-|the access log line at LOG_LEVEL=info (a cost, not a saving: info against warn)"; do
    IFS='|' read -r name tag what <<<"$p"
    read -r S SMIN SMAX <<<"$(saving "$name" | med3)"
    if [ "$name" = info ]; then
      read -r S SMIN SMAX <<<"$(saving info | awk '{print -$1}' | med3)"
      gb="–"; ga="–"
    else
      gb=${GB_NS[$name]}; ga=${GB_ALLOCS[$name]}
    fi
    share=$(awk -v s="$S" -v g="$GAP" 'BEGIN { if (g <= 0) print "n/a"; else printf "%.0f %%", 100 * s / g }')
    read -r T _ _ <<<"$( [ "$name" = info ] && tsaving info | awk '{print -$1}' | med3 || tsaving "$name" | med3)"
    echo "| $what | $S ($SMIN to $SMAX) | $share | $T | $gb | $ga |"
  done
  echo
  echo "The plain build's CPU time split by piece, from one ${PROFILE_SECS}s CPU profile under wrk ($PROF_RPS req/s, $PROF_CPU µs of CPU per request during it; \`benchtool attribute\`: each sample to the innermost frame that belongs to a piece; \"own\" marks work the floor does not do; the gap column divides by the A−F CPU gap above):"
  echo
  printf '%s\n' "$ATTRIB"
  echo
  echo "The BFF (the warn profile above) and the floor (bench/floor, profiled under the same load right after it: $FPROF_RPS req/s, $FPROF_CPU µs of CPU per request), piece by piece: where the BFF's extra CPU per request goes. The floor's cookie open, HostClient call and handler fall in the same rows as the BFF's; a negative row is work the floor does more of:"
  echo
  printf '%s\n' "$COMPARE"
  echo
  echo "The same at LOG_LEVEL=info, the access log line written ($IPROF_RPS req/s, $IPROF_CPU µs of CPU per request during it):"
  echo
  printf '%s\n' "$IATTRIB"
  echo
  echo "The warn profile's top entries (\`go tool pprof -top\`; kept as $(basename "$(dirname "$OUT")")/ledger-prof.pprof, the info one as ledger-profinfo.pprof, the floor's as ledger-floor.pprof):"
  echo
  echo '```'
  printf '%s\n' "$PROF_TOP"
  echo '```'
  echo
  echo "Raw pairs per round (req/s, the server process's CPU µs per request):"
  echo
  echo '```'
  for v in "${OTHERS[@]}"; do
    line="$v:"; for r in $(seq "$ROUNDS"); do line+=" (plain ${PLAIN[$v,$r]} req/s ${PCPU[$v,$r]} µs, $v ${RPS[$v,$r]} req/s ${CPU[$v,$r]} µs)"; done; echo "$line"
  done
  echo '```'
} >"$OUT"
log "ledger written to $OUT"
cat "$OUT"
