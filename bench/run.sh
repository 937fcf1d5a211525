#!/usr/bin/env bash
# bench/run.sh: the BFF against the plain nginx forwarder and the bare upstream, on this machine, in one run.
# How the comparison is made fair is in ../shared/benchmarking.md; the figures go into BENCHMARKS.md.
#
#   bash bench/run.sh            full run, about 13 minutes
#   QUICK=1 bash bench/run.sh    smoke check of the harness, about 4 minutes (figures not for quoting)
#
# What it measures, every server on 127.0.0.1, in two tables with the same load, all targets in every round:
#   fixed-answer upstream U (nginx returning MS's exact answer bytes for GET /user), so the forwarders' own cost
#   is what is compared:
#     A  GET /api/user through the BFF, authenticated by its encrypted session cookie
#     B  GET /api/user through nginx, the raw MS token in a cookie turned into "Authorization: Bearer …"
#     F  GET /api/user through bench/floor, the smallest Fiber program doing A's job (same cookie, same key,
#        fasthttp to the same upstream, the answer passed back)
#     U  GET /user straight to the fixed-answer upstream with the Bearer header
#   the MS emulator (cmd/msemu) as the upstream, as before: A, B, F and
#     C  GET /user straight to the emulator with the Bearer header (the floor)
# with wrk (same threads, connections and duration, after a warm-up, ROUNDS rounds, medians); then latency at a
# fixed rate of half C's maximum for A and C, again at half of A's maximum, and AX and FX at half of AX's maximum; the BFF's resident memory after serving 1,000 and 10,000
# distinct sessions at 200 connections; and the BFF's start-up time (exec to the first 200 on /healthz).
#
# Settings (environment): QUICK=1; PIN=split (default: servers on CPU 0, load generators on CPU 1) or none;
# ROUNDS, DURATION, WARMUP, THREADS, CONNS, RATE_DURATION, RATE_ROUNDS, SESSIONS_SMALL, SESSIONS_LARGE, MEM_CONNS,
# MEM_DURATION, STARTUP_RUNS; PROFILE=1 adds a CPU profile of the BFF under load; NO_BUILD=1 uses bin/bff and bin/msemu as they are; KEEP=1 keeps the temporary folder (logs, configs); OUT=file for the summary
# (default bench/out/last-run.md).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

QUICK=${QUICK:-0}
PIN=${PIN:-split}
if [ "$QUICK" = 1 ]; then
  ROUNDS=${ROUNDS:-1}; DURATION=${DURATION:-3}; WARMUP=${WARMUP:-1}; RATE_DURATION=${RATE_DURATION:-4}
  SESSIONS_SMALL=${SESSIONS_SMALL:-1000}; SESSIONS_LARGE=${SESSIONS_LARGE:-2000}; MEM_DURATION=${MEM_DURATION:-3}
  STARTUP_RUNS=${STARTUP_RUNS:-5}
else
  ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-8}; WARMUP=${WARMUP:-2}; RATE_DURATION=${RATE_DURATION:-12}
  SESSIONS_SMALL=${SESSIONS_SMALL:-1000}; SESSIONS_LARGE=${SESSIONS_LARGE:-10000}; MEM_DURATION=${MEM_DURATION:-10}
  STARTUP_RUNS=${STARTUP_RUNS:-20}
fi
CONNS=${CONNS:-64}
RATE_ROUNDS=${RATE_ROUNDS:-$([ "$QUICK" = 1 ] && echo 1 || echo 3)}
MEM_CONNS=${MEM_CONNS:-200}
OUT=${OUT:-$ROOT/bench/out/last-run.md}
mkdir -p "$(dirname "$OUT")"

NCPU=$(nproc)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
ALL_CPUS="0-$((NCPU - 1))"
case "$PIN" in
  split)
    if [ "$NCPU" -lt 2 ]; then echo "bench: PIN=split needs 2 CPUs; use PIN=none" >&2; exit 1; fi
    SRV_CPUS=0; LOAD_CPUS=1; SRV_N=1; LOAD_N=1
    ;;
  none) SRV_CPUS=$ALL_CPUS; LOAD_CPUS=$ALL_CPUS; SRV_N=$NCPU; LOAD_N=$NCPU ;;
  *) echo "bench: PIN must be split or none" >&2; exit 2 ;;
esac
THREADS=${THREADS:-$LOAD_N}

log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# --- tools ------------------------------------------------------------------------------------------------
need=()
for t in wrk nginx curl taskset; do command -v "$t" >/dev/null 2>&1 || need+=("$t"); done
if [ "${#need[@]}" -gt 0 ]; then
  pkgs=()
  for t in "${need[@]}"; do case "$t" in taskset) pkgs+=(util-linux) ;; *) pkgs+=("$t") ;; esac; done
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}; install them (apt-get install -y ${pkgs[*]}) or run as root"
  log "installing ${pkgs[*]} from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- temporary folder and clean-up ----------------------------------------------------------------------
TMP=$(mktemp -d /tmp/bitbench.XXXXXX)
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
trap 'log "FAILED at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

# --- build ----------------------------------------------------------------------------------------------
mkdir -p bin
# The commit the binaries are built from, taken now: the tree may change while the run goes on.
BUILT_FROM="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
if [ "${NO_BUILD:-0}" = 1 ]; then
  BUILT_FROM="? (NO_BUILD=1: the existing bin/bff)"
  [ -x bin/bff ] && [ -x bin/msemu ] || die "NO_BUILD=1 but bin/bff or bin/msemu is missing"
  log "using the existing bin/bff and bin/msemu (NO_BUILD=1)"
else
  log "building bin/bff, bin/msemu and the bench tool"
  go build -o bin/bff . || die "go build . failed"
  go build -o bin/msemu ./cmd/msemu || die "go build ./cmd/msemu failed"
fi
go build -o "$TMP/benchtool" ./bench/benchtool
go build -o "$TMP/floor" ./bench/floor
[ "${PROFILE:-0}" = 1 ] && go build -o "$TMP/bffprof" ./bench/bffprof
BT="$TMP/benchtool"

# wait_http URL: until it answers at all (any status), at most 15 s.
wait_http() {
  for _ in $(seq 150); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  return 1
}

# --- the upstream: the MS emulator ----------------------------------------------------------------------
MS_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
SESSION_KEYS=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
LOAD_USERS=$SESSIONS_LARGE
log "starting the emulator with $LOAD_USERS load users (servers' CPUs: $SRV_CPUS)"
# The access tokens outlive the run, so no refresh happens during a measurement (it would change A's cookie).
taskset -c "$SRV_CPUS" bin/msemu -addr 127.0.0.1:0 -secret "$MS_SECRET" -load-users "$LOAD_USERS" -access-ttl 2h -refresh-ttl 24h \
  >"$TMP/msemu.log" 2>&1 &
PIDS+=($!)
MS_URL=""
for _ in $(seq 300); do
  MS_URL=$(sed -n 's#.*msemu listening on \(http://[0-9.:]*\).*#\1#p' "$TMP/msemu.log" | head -1)
  [ -n "$MS_URL" ] && break
  kill -0 "${PIDS[-1]}" 2>/dev/null || die "the emulator exited: $(tail -5 "$TMP/msemu.log")"
  sleep 0.1
done
[ -n "$MS_URL" ] || die "the emulator did not say where it listens"
case "$MS_URL" in http://127.*) ;; *) die "the emulator listens on $MS_URL, not loopback" ;; esac
MS_HOSTPORT=${MS_URL#http://}

mapfile -t FREE_PORTS < <($BT ports -n 7)
BFF_PORT=${FREE_PORTS[0]}; NGINX_PORT=${FREE_PORTS[1]}
FIX_PORT=${FREE_PORTS[2]}; BFFX_PORT=${FREE_PORTS[3]}; NGINXX_PORT=${FREE_PORTS[4]}
FLOOR_PORT=${FREE_PORTS[5]}; FLOORX_PORT=${FREE_PORTS[6]}
BFF_URL="http://127.0.0.1:$BFF_PORT"
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
FIX_URL="http://127.0.0.1:$FIX_PORT"

# --- the BFF ----------------------------------------------------------------------------------------------
# Request logs off (LOG_LEVEL=warn), as nginx's access log is off.
BFF_ENV=(HOST=127.0.0.1 MS_BASE_URL="$MS_URL" SESSION_KEYS="$SESSION_KEYS" MS_JWT_SECRET="$MS_SECRET"
  COOKIE_SECURE=false ALLOWED_ORIGINS="$BFF_URL" LOG_LEVEL=warn DATABASE_URL="sqlite:$TMP/bit.db")
start_bff() {
  env "${BFF_ENV[@]}" PORT="$BFF_PORT" taskset -c "$SRV_CPUS" bin/bff >>"$TMP/bff.log" 2>&1 &
  BFF_PID=$!
  PIDS+=("$BFF_PID")
  wait_http "$BFF_URL/healthz" || die "the BFF did not answer: $(tail -5 "$TMP/bff.log")"
}
stop_bff() {
  kill "$BFF_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$BFF_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$BFF_PID" 2>/dev/null || true
  wait "$BFF_PID" 2>/dev/null || true
}
log "starting the BFF on $BFF_URL"
start_bff

# --- nginx ------------------------------------------------------------------------------------------------
NG="$TMP/nginx"
mkdir -p "$NG"
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root root;"
sed -e "s#@DIR@#$NG#g" -e "s#@WORKERS@#$SRV_N#g" -e "s#@UPSTREAM@#$MS_HOSTPORT#g" -e "s#@PORT@#$NGINX_PORT#g" \
  -e "s#@USER_LINE@#$USER_LINE#g" bench/nginx.conf.tmpl >"$NG/nginx.conf"
"$NGINX" -t -p "$NG" -c "$NG/nginx.conf" >"$NG/test.log" 2>&1 || die "nginx -t: $(cat "$NG/test.log")"
log "starting nginx ($SRV_N workers) on $NGINX_URL"
taskset -c "$SRV_CPUS" "$NGINX" -p "$NG" -c "$NG/nginx.conf" >>"$NG/stdout.log" 2>&1 &
PIDS+=($!)
wait_http "$NGINX_URL/" || die "nginx did not answer: $(tail -5 "$NG/error.log")"

# start_nginx DIR CONF: an nginx of its own from a filled-in config, on the servers' CPUs.
start_nginx() {
  local dir=$1 conf=$2 port
  port=$(sed -n 's/.*listen 127.0.0.1:\([0-9]*\).*/\1/p' "$conf" | head -1)
  "$NGINX" -t -p "$dir" -c "$conf" >"$dir/test.log" 2>&1 || die "nginx -t ($conf): $(cat "$dir/test.log")"
  taskset -c "$SRV_CPUS" "$NGINX" -p "$dir" -c "$conf" >>"$dir/stdout.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/" || die "nginx on $port did not answer: $(tail -5 "$dir/error.log")"
}

# --- target F (bench/floor) on the emulator -------------------------------------------------------------------
FLOOR_URL="http://127.0.0.1:$FLOOR_PORT"
env PORT="$FLOOR_PORT" MS_BASE_URL="$MS_URL" SESSION_KEYS="$SESSION_KEYS" taskset -c "$SRV_CPUS" "$TMP/floor" >>"$TMP/floor.log" 2>&1 &
PIDS+=($!)
wait_http "$FLOOR_URL/" || die "the floor did not answer: $(tail -5 "$TMP/floor.log")"

# --- credentials, and a check that all three answer the same ---------------------------------------------
TOKEN=$($BT login -url "$MS_URL" -mode ms -n 1)
COOKIE=$($BT login -url "$BFF_URL" -mode bff -n 1)
[ -n "$TOKEN" ] && [ -n "$COOKIE" ] || die "could not log in"
A_URL="$BFF_URL/api/user"; A_HDR="Cookie: bit_session=$COOKIE"
B_URL="$NGINX_URL/api/user"; B_HDR="Cookie: ms_token=$TOKEN"
C_URL="$MS_URL/user"; C_HDR="Authorization: Bearer $TOKEN"
for x in A B C; do
  url_var="${x}_URL"; hdr_var="${x}_HDR"
  code=$(curl -s -o "$TMP/body_$x.json" -w '%{http_code}' -H "${!hdr_var}" "${!url_var}")
  [ "$code" = 200 ] || die "$x: GET ${!url_var} answered $code: $(head -c 300 "$TMP/body_$x.json")"
done
cmp -s "$TMP/body_A.json" "$TMP/body_C.json" || die "A's body differs from C's"
cmp -s "$TMP/body_B.json" "$TMP/body_C.json" || die "B's body differs from C's"
F_URL="$FLOOR_URL/api/user"; F_HDR=$A_HDR
code=$(curl -s -o "$TMP/body_F.json" -w '%{http_code}' -H "$F_HDR" "$F_URL")
[ "$code" = 200 ] && cmp -s "$TMP/body_F.json" "$TMP/body_C.json" || die "F: GET $F_URL answered $code, or another body"
log "A, B, C and F all answer 200 with the same $(wc -c <"$TMP/body_C.json")-byte body"

# --- the fixed-answer upstream U and a second A, B and F in front of it ---------------------------------------
C_TYPE=$(curl -s -o /dev/null -w '%{content_type}' -H "$C_HDR" "$C_URL")
BODY=$(cat "$TMP/body_C.json"; printf x) # the x keeps a trailing newline, which $(…) would drop
BODY=${BODY%x}
case "$BODY" in *'$'*) die "MS's answer holds a \$, which nginx's return would read as a variable" ;; esac
case "$C_TYPE" in *[\;\'\"\ ]*) die "unexpected Content-Type $C_TYPE" ;; esac
BODY_ESC=${BODY//\\/\\\\}
BODY_ESC=${BODY_ESC//\'/\\\'}
shopt -u patsub_replacement 2>/dev/null || true
NGX="$TMP/nginx-fixed"; mkdir -p "$NGX"
TMPL=$(sed -e "s#@DIR@#$NGX#g" -e "s#@WORKERS@#$SRV_N#g" -e "s#@PORT@#$FIX_PORT#g" -e "s#@USER_LINE@#$USER_LINE#g" \
  -e "s#@CONTENT_TYPE@#$C_TYPE#g" bench/nginx-fixed.conf.tmpl)
printf '%s\n' "${TMPL//@BODY@/$BODY_ESC}" >"$NGX/nginx.conf"
log "starting the fixed-answer upstream (nginx return 200, $C_TYPE) on $FIX_URL"
start_nginx "$NGX" "$NGX/nginx.conf"
NGB="$TMP/nginx-b-fixed"; mkdir -p "$NGB"
sed -e "s#@DIR@#$NGB#g" -e "s#@WORKERS@#$SRV_N#g" -e "s#@UPSTREAM@#127.0.0.1:$FIX_PORT#g" -e "s#@PORT@#$NGINXX_PORT#g" \
  -e "s#@USER_LINE@#$USER_LINE#g" bench/nginx.conf.tmpl >"$NGB/nginx.conf"
start_nginx "$NGB" "$NGB/nginx.conf"
env "${BFF_ENV[@]}" MS_BASE_URL="$FIX_URL" PORT="$BFFX_PORT" taskset -c "$SRV_CPUS" bin/bff >>"$TMP/bffx.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$BFFX_PORT/healthz" || die "the second BFF did not answer: $(tail -5 "$TMP/bffx.log")"
env PORT="$FLOORX_PORT" MS_BASE_URL="$FIX_URL" SESSION_KEYS="$SESSION_KEYS" taskset -c "$SRV_CPUS" "$TMP/floor" >>"$TMP/floorx.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$FLOORX_PORT/" || die "the second floor did not answer: $(tail -5 "$TMP/floorx.log")"
AX_URL="http://127.0.0.1:$BFFX_PORT/api/user"; AX_HDR=$A_HDR
BX_URL="http://127.0.0.1:$NGINXX_PORT/api/user"; BX_HDR=$B_HDR
FX_URL="http://127.0.0.1:$FLOORX_PORT/api/user"; FX_HDR=$A_HDR
UX_URL="$FIX_URL/user"; UX_HDR=$C_HDR
for x in AX BX FX UX; do
  url_var="${x}_URL"; hdr_var="${x}_HDR"
  code=$(curl -s -o "$TMP/body_$x.json" -D "$TMP/head_$x.txt" -w '%{http_code}' -H "${!hdr_var}" "${!url_var}")
  [ "$code" = 200 ] || die "$x: GET ${!url_var} answered $code: $(head -c 300 "$TMP/body_$x.json")"
  cmp -s "$TMP/body_$x.json" "$TMP/body_C.json" || die "$x's body differs from MS's answer"
done
log "AX, BX, FX and UX (fixed-answer upstream) answer 200 with MS's exact $(wc -c <"$TMP/body_C.json")-byte body"

# --- wrk rounds -------------------------------------------------------------------------------------------
# field NAME LINE: the value of NAME=… in a RESULT line.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"; exit}; if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# run_wrk X SECONDS CONNS [env…]: one wrk run against target X; prints its RESULT line.
run_wrk() {
  local x=$1 secs=$2 conns=$3; shift 3
  local url_var="${x}_URL" hdr_var="${x}_HDR" out
  out=$(env WRK_THREADS="$THREADS" "$@" taskset -c "$LOAD_CPUS" wrk -t"$THREADS" -c"$conns" -d"${secs}s" --timeout 5s \
    -s bench/wrk.lua -H "${!hdr_var}" "${!url_var}" 2>&1) || die "wrk $x: $out"
  local line
  line=$(printf '%s\n' "$out" | grep '^RESULT' | tail -1)
  [ -n "$line" ] || die "wrk $x printed no result: $out"
  if [ "$(field non2xx "$line")" != 0 ]; then
    # The floor is a reference, not the product: its rare failures (logged by it in floor.log) are reported in
    # its RESULT line; they can only make F look faster (an error answer is cheap), never flatter A.
    case "$x" in F|FX) log "warning: wrk $x: non-2xx answers: $line" ;; *) die "wrk $x: non-2xx answers: $line" ;; esac
  fi
  [ "$(field socket_errors "$line")" = 0 ] || log "warning: wrk $x: socket errors: $line"
  printf '%s\n' "$line"
}

# fresh_cookie logs in again for the next phase. A session's cookie records its last activity, and the BFF re-seals
# it (a Set-Cookie on the answer) when that is more than 5 minutes old (docs/SESSIONS.md#cookie); a browser keeps
# the new cookie, but wrk sends the same one for ever, so a cookie older than 5 minutes would be re-sealed on
# every request. A new login per round keeps the measured cookie a browser's.
fresh_cookie() {
  COOKIE=$($BT login -url "$BFF_URL" -mode bff -n 1) && [ -n "$COOKIE" ] || die "could not log in again"
  A_HDR="Cookie: bit_session=$COOKIE"; F_HDR=$A_HDR; AX_HDR=$A_HDR; FX_HDR=$A_HDR
}

TARGETS=(AX BX FX UX A B C F)
log "throughput: $ROUNDS rounds of ${TARGETS[*]}; wrk -t$THREADS -c$CONNS -d${DURATION}s after a ${WARMUP}s warm-up each (load CPUs: $LOAD_CPUS)"
for r in $(seq "$ROUNDS"); do
  fresh_cookie
  for x in "${TARGETS[@]}"; do
    run_wrk "$x" "$WARMUP" "$CONNS" >/dev/null
    line=$(run_wrk "$x" "$DURATION" "$CONNS")
    line="$line load1=$(cut -d' ' -f1 /proc/loadavg)"
    printf '%s\n' "$line" >>"$TMP/wrk_$x.txt"
    log "round $r $x: rps=$(field rps "$line") p50=$(field p50_us "$line")us p99=$(field p99_us "$line")us (load average $(field load1 "$line"))"
  done
done
for x in "${TARGETS[@]}"; do
  for f in rps p50_us p99_us; do
    v=$(while read -r l; do field "$f" "$l"; done <"$TMP/wrk_$x.txt" | median)
    printf -v "${x}_${f}" '%s' "$v"
  done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "nan"; else printf "%.2f", a / b }'; }
AB_RPS=$(ratio "$A_rps" "$B_rps"); AC_RPS=$(ratio "$A_rps" "$C_rps"); AF_RPS=$(ratio "$A_rps" "$F_rps")
AB_P99=$(ratio "$A_p99_us" "$B_p99_us"); AC_P99=$(ratio "$A_p99_us" "$C_p99_us")
AXBX_RPS=$(ratio "$AX_rps" "$BX_rps"); AXFX_RPS=$(ratio "$AX_rps" "$FX_rps"); AXUX_RPS=$(ratio "$AX_rps" "$UX_rps")
FXBX_RPS=$(ratio "$FX_rps" "$BX_rps")
AXBX_P99=$(ratio "$AX_p99_us" "$BX_p99_us"); AXFX_P99=$(ratio "$AX_p99_us" "$FX_p99_us")
# Per-round ratios (each round's targets ran back to back, so these are less exposed to a drifting host).
round_ratios() {
  paste -d' ' "$TMP/wrk_$1.txt" "$TMP/wrk_$2.txt" | while read -r l; do
    a=$(printf '%s\n' "$l" | tr ' ' '\n' | sed -n 's/^rps=//p' | head -1)
    b=$(printf '%s\n' "$l" | tr ' ' '\n' | sed -n 's/^rps=//p' | tail -1)
    echo "$(ratio "$a" "$b")"
  done | paste -sd' '
}

# --- latency at a fixed rate (half of C's maximum) --------------------------------------------------------
RATE=$(awk -v c="$C_rps" 'BEGIN { printf "%d", c / 2 }')
# A second point, half of A's own maximum: what the BFF adds when it is not itself near saturation.
RATE2=$(awk -v a="$A_rps" 'BEGIN { printf "%d", a / 2 }')
# fixed_rate TAG RATE [TARGETS…]: RATE_ROUNDS runs of each target (default A then C) at RATE; sets
# ${TAG}${X}_* medians for each target X.
fixed_rate() {
  local tag=$1 rate=$2 r x url_var hdr_var line f v
  shift 2
  local targets=("$@")
  [ "${#targets[@]}" -gt 0 ] || targets=(A C)
  for x in "${targets[@]}"; do : >"$TMP/rate_${tag}$x.txt"; done
  for r in $(seq "$RATE_ROUNDS"); do
    fresh_cookie
    for x in "${targets[@]}"; do
      url_var="${x}_URL"; hdr_var="${x}_HDR"
      line=$(taskset -c "$LOAD_CPUS" "$BT" rate -url "${!url_var}" -H "${!hdr_var}" -rate "$rate" -duration "${RATE_DURATION}s" -warmup 2s) \
        || die "rate $x: $line"
      line="$line load1=$(cut -d' ' -f1 /proc/loadavg)"
      printf '%s\n' "$line" >>"$TMP/rate_${tag}$x.txt"
      log "fixed rate $rate, run $r, $x: $(echo "$line" | cut -d' ' -f2-)"
    done
  done
  for x in "${targets[@]}"; do
    for f in achieved_rate p50_us p99_us lag_p99_us; do
      v=$(while read -r l; do field "$f" "$l"; done <"$TMP/rate_${tag}$x.txt" | median)
      printf -v "${tag}${x}_${f}" '%s' "$v"
    done
  done
}
log "fixed rate: $RATE req/s (half of C's $C_rps) and $RATE2 req/s (half of A's $A_rps), ${RATE_DURATION}s each, A then C, $RATE_ROUNDS times"
fixed_rate R "$RATE"
fixed_rate S "$RATE2"
# Against the fixed-answer upstream, the BFF and the floor at half of the BFF's maximum there (issue 18's target:
# A's p99 within 1 ms of F's).
RATE3=$(awk -v a="$AX_rps" 'BEGIN { printf "%d", a / 2 }')
log "fixed rate: $RATE3 req/s (half of AX's $AX_rps), AX then FX, $RATE_ROUNDS times"
fixed_rate T "$RATE3" AX FX
ADD3_P99_MS=$(awk -v a="$TAX_p99_us" -v f="$TFX_p99_us" 'BEGIN { printf "%.2f", (a - f) / 1000 }')
ADD_P99_MS=$(awk -v a="$RA_p99_us" -v c="$RC_p99_us" 'BEGIN { printf "%.2f", (a - c) / 1000 }')
ADD2_P99_MS=$(awk -v a="$SA_p99_us" -v c="$SC_p99_us" 'BEGIN { printf "%.2f", (a - c) / 1000 }')

# --- memory: distinct sessions at MEM_CONNS connections, on a freshly started BFF ------------------------
log "memory: logging $SESSIONS_LARGE users in through the BFF"
$BT login -url "$BFF_URL" -mode bff -n "$SESSIONS_LARGE" -c 32 -out "$TMP/cookies_large.txt" || die "logins failed"
head -n "$SESSIONS_SMALL" "$TMP/cookies_large.txt" >"$TMP/cookies_small.txt"
stop_bff
start_bff # a new process: the cookies from the old one work as they are (no server-side sessions)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$BFF_PID/status"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$BFF_PID/status"; }
RSS_IDLE=$(rss)
MEM_SMALL=$(run_wrk A "$MEM_DURATION" "$MEM_CONNS" COOKIES="$TMP/cookies_small.txt")
RSS_SMALL=$(rss); HWM_SMALL=$(hwm)
MEM_LARGE=$(run_wrk A "$MEM_DURATION" "$MEM_CONNS" COOKIES="$TMP/cookies_large.txt")
RSS_LARGE=$(rss); HWM_LARGE=$(hwm)
log "memory: idle ${RSS_IDLE} kB; after $(field distinct_sessions "$MEM_SMALL") sessions ${RSS_SMALL} kB (peak ${HWM_SMALL}); after $(field distinct_sessions "$MEM_LARGE") sessions ${RSS_LARGE} kB (peak ${HWM_LARGE})"
# The profile below runs a BFF against the fixed-answer upstream, which cannot log anyone in: take the cookie it
# will be sent now, from this emulator-backed BFF (same keys), young enough not to be re-sealed during the profile.
fresh_cookie
stop_bff

# --- profile (PROFILE=1): where the BFF's CPU time goes while serving A -----------------------------------
PROFILE_TOP=""
if [ "${PROFILE:-0}" = 1 ]; then
  PPROF_PORT=$($BT ports -n 1)
  # Against the fixed-answer upstream: the BFF's own work, not the emulator's.
  env "${BFF_ENV[@]}" MS_BASE_URL="$FIX_URL" PORT="$BFF_PORT" PPROF_ADDR="127.0.0.1:$PPROF_PORT" taskset -c "$SRV_CPUS" "$TMP/bffprof" >>"$TMP/bff.log" 2>&1 &
  BFF_PID=$!
  PIDS+=("$BFF_PID")
  wait_http "$BFF_URL/healthz" || die "bffprof did not answer"
  run_wrk A "$WARMUP" "$CONNS" >/dev/null
  secs=$((DURATION > 4 ? DURATION - 2 : 2))
  curl -s -o "$TMP/cpu.pprof" "http://127.0.0.1:$PPROF_PORT/debug/pprof/profile?seconds=$secs" &
  CURL_PID=$!
  PROF_WRK=$(run_wrk A "$DURATION" "$CONNS")
  wait "$CURL_PID" || die "no CPU profile"
  PROFILE_TOP=$(go tool pprof -top -nodecount=25 "$TMP/bffprof" "$TMP/cpu.pprof" 2>/dev/null | head -32)
  cp "$TMP/cpu.pprof" "$(dirname "$OUT")/bff-cpu.pprof" 2>/dev/null || true
  log "profile taken during: $PROF_WRK"
  stop_bff
fi

# --- start-up ---------------------------------------------------------------------------------------------
log "start-up: $STARTUP_RUNS starts of bin/bff, exec to the first 200 on /healthz"
benv=(); for e in "${BFF_ENV[@]}"; do benv+=(-env "$e"); done
STARTUP=$($BT startup -bin bin/bff -runs "$STARTUP_RUNS" "${benv[@]}") || die "start-up: $STARTUP"
log "start-up: $STARTUP"
STARTUP_FLOOR=$($BT startup -bin "$BT" -arg hello -runs "$STARTUP_RUNS") || die "start-up floor: $STARTUP_FLOOR"
log "start-up of a minimal Go net/http server (the floor): $STARTUP_FLOOR"
# Where start-up time goes: Go's package initialisers (GODEBUG=inittrace=1), median total of 5 starts.
INIT_TOTALS=()
: >"$TMP/inittrace-all.txt"
for _ in 1 2 3 4 5; do
  p=$($BT ports -n 1)
  env "${BFF_ENV[@]}" PORT="$p" GODEBUG=inittrace=1 timeout 1 bin/bff >"$TMP/inittrace.txt" 2>&1 || true
  INIT_TOTALS+=("$(awk '/^init / {s += $5} END {printf "%.1f", s}' "$TMP/inittrace.txt")")
  awk '/^init / {print $2, $5}' "$TMP/inittrace.txt" >>"$TMP/inittrace-all.txt"
done
INIT_MS=$(printf '%s\n' "${INIT_TOTALS[@]}" | median)
# Each package's median over the 5 starts, the six largest.
INIT_TOP=$(sort -k1,1 -k2,2g "$TMP/inittrace-all.txt" | awk '
  $1 != p { if (n) print p, v[int((n + 1) / 2)]; p = $1; n = 0 } { v[++n] = $2 } END { if (n) print p, v[int((n + 1) / 2)] }' |
  sort -k2 -gr | awk 'NR <= 6 {printf "%s%s %.1f ms", (NR > 1 ? ", " : ""), $1, $2}')
log "package initialisers: median $INIT_MS ms; the largest (median each): $INIT_TOP"

# --- Go micro-benchmarks of the hot path (every package with a Benchmark function) ------------------------
GOBENCH_TIME=${GOBENCH_TIME:-$([ "$QUICK" = 1 ] && echo 200ms || echo 1s)}
mapfile -t BENCH_PKGS < <(grep -l '^func Benchmark' -- */*_test.go 2>/dev/null | xargs -r -n1 dirname | sort -u | sed 's#^#./#')
GOBENCH=""
if [ "${#BENCH_PKGS[@]}" -gt 0 ]; then
  log "go benchmarks (-benchtime $GOBENCH_TIME, CPU $SRV_CPUS): ${BENCH_PKGS[*]}"
  GOBENCH=$(taskset -c "$SRV_CPUS" go test -run '^$' -bench . -benchmem -benchtime "$GOBENCH_TIME" "${BENCH_PKGS[@]}" 2>&1) \
    || die "go test -bench failed: $GOBENCH"
fi
SEAL_OPEN=$(printf '%s\n' "$GOBENCH" | awk '$1 ~ /^BenchmarkSealOpen(-[0-9]+)?$/ {
  for (i = 2; i < NF; i++) { if ($(i+1) == "ns/op") ns = $i; if ($(i+1) == "B/op") b = $i; if ($(i+1) == "allocs/op") a = $i }
  print ns " ns/op, " b " B/op, " a " allocs/op"; exit }')

# --- summary ----------------------------------------------------------------------------------------------
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
{
  echo "## bench/run.sh $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- command: \`QUICK=$QUICK PIN=$PIN bash bench/run.sh\`; built from commit $BUILT_FROM"
  echo "- machine: nproc $NCPU, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), load average at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows here)"
  echo "- $(go version | cut -d' ' -f3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $("$NGINX" -v 2>&1 | cut -d' ' -f3)"
  if [ "$PIN" = split ]; then
    echo "- pinning: servers (emulator, BFF, nginx with $SRV_N worker) on CPU $SRV_CPUS, wrk and benchtool on CPU $LOAD_CPUS (taskset)"
  else
    echo "- pinning: none; nginx has $SRV_N workers"
  fi
  echo "- wrk -t$THREADS -c$CONNS -d${DURATION}s, ${WARMUP}s warm-up before each run, $ROUNDS rounds of ${TARGETS[*]} (in that order each round); medians"
  echo
  echo "Fixed-answer upstream (nginx \`return 200\` with MS's exact answer bytes):"
  echo
  echo "| | target | req/s | p50 ms | p99 ms |"
  echo "|---|---|---:|---:|---:|"
  echo "| A | BFF, encrypted cookie, GET /api/user | $AX_rps | $(ms "$AX_p50_us") | $(ms "$AX_p99_us") |"
  echo "| B | nginx, raw token cookie, GET /api/user | $BX_rps | $(ms "$BX_p50_us") | $(ms "$BX_p99_us") |"
  echo "| F | bench/floor (Fiber, AES-GCM, fasthttp), GET /api/user | $FX_rps | $(ms "$FX_p50_us") | $(ms "$FX_p99_us") |"
  echo "| U | the fixed-answer upstream itself, Bearer, GET /user | $UX_rps | $(ms "$UX_p50_us") | $(ms "$UX_p99_us") |"
  echo
  echo "- **A/F throughput $AXFX_RPS** (per round: $(round_ratios AX FX)); A/F p99 $AXFX_P99"
  echo "- **A/B throughput $AXBX_RPS** (per round: $(round_ratios AX BX)); A/B p99 $AXBX_P99; F/B $FXBX_RPS; A/U $AXUX_RPS"
  echo
  echo "MS emulator as the upstream:"
  echo
  echo "| | target | req/s | p50 ms | p99 ms |"
  echo "|---|---|---:|---:|---:|"
  echo "| A | BFF, encrypted cookie, GET /api/user | $A_rps | $(ms "$A_p50_us") | $(ms "$A_p99_us") |"
  echo "| B | nginx, raw token cookie, GET /api/user | $B_rps | $(ms "$B_p50_us") | $(ms "$B_p99_us") |"
  echo "| C | emulator, Bearer, GET /user | $C_rps | $(ms "$C_p50_us") | $(ms "$C_p99_us") |"
  echo "| F | bench/floor, GET /api/user | $F_rps | $(ms "$F_p50_us") | $(ms "$F_p99_us") |"
  echo
  echo "- A/F throughput **$AF_RPS** (per round: $(round_ratios A F)); A/B throughput **$AB_RPS** (per round: $(round_ratios A B)), A/B p99 $AB_P99; A/C throughput **$AC_RPS**, A/C p99 $AC_P99"
  echo "- fixed rate $RATE req/s (half of C's maximum), ${RATE_DURATION}s after 2s warm-up, $RATE_ROUNDS runs each, medians; latency from the scheduled send time:"
  echo "  A p50 $(ms "$RA_p50_us") ms, p99 $(ms "$RA_p99_us") ms (achieved $RA_achieved_rate req/s); C p50 $(ms "$RC_p50_us") ms, p99 $(ms "$RC_p99_us") ms (achieved $RC_achieved_rate req/s);"
  echo "  **the BFF adds $ADD_P99_MS ms to p99**; pacer lag p99 A $(ms "$RA_lag_p99_us") ms, C $(ms "$RC_lag_p99_us") ms"
  echo "- fixed rate $RATE2 req/s (half of A's maximum), same method: A p50 $(ms "$SA_p50_us") ms, p99 $(ms "$SA_p99_us") ms (achieved $SA_achieved_rate req/s);"
  echo "  C p50 $(ms "$SC_p50_us") ms, p99 $(ms "$SC_p99_us") ms (achieved $SC_achieved_rate req/s); **the BFF adds $ADD2_P99_MS ms to p99**; pacer lag p99 A $(ms "$SA_lag_p99_us") ms, C $(ms "$SC_lag_p99_us") ms"
  echo "- fixed-answer upstream, fixed rate $RATE3 req/s (half of AX's maximum): AX p50 $(ms "$TAX_p50_us") ms, p99 $(ms "$TAX_p99_us") ms (achieved $TAX_achieved_rate req/s);"
  echo "  FX p50 $(ms "$TFX_p50_us") ms, p99 $(ms "$TFX_p99_us") ms (achieved $TFX_achieved_rate req/s); **A's p99 minus F's: $ADD3_P99_MS ms**; pacer lag p99 AX $(ms "$TAX_lag_p99_us") ms, FX $(ms "$TFX_lag_p99_us") ms"
  echo "- memory (VmRSS of a freshly started BFF, $MEM_CONNS connections, ${MEM_DURATION}s each): idle $(mb "$RSS_IDLE") MB;"
  echo "  after $(field distinct_sessions "$MEM_SMALL") distinct sessions **$(mb "$RSS_SMALL") MB** (peak $(mb "$HWM_SMALL") MB, $(field rps "$MEM_SMALL") req/s);"
  echo "  then after $(field distinct_sessions "$MEM_LARGE") distinct sessions **$(mb "$RSS_LARGE") MB** (peak $(mb "$HWM_LARGE") MB, $(field rps "$MEM_LARGE") req/s)"
  [ -n "$SEAL_OPEN" ] && echo "- session cookie seal + open (BenchmarkSealOpen, one core): **$SEAL_OPEN**"
  echo "- start-up, exec to the first 200 on /healthz, $(field runs "$STARTUP") runs, unpinned: median **$(field median_ms "$STARTUP") ms** (min $(field min_ms "$STARTUP"), max $(field max_ms "$STARTUP"));"
  echo "  a minimal Go net/http server by the same timer: median $(field median_ms "$STARTUP_FLOOR") ms (min $(field min_ms "$STARTUP_FLOOR"));"
  echo "  the BFF's package initialisers (GODEBUG=inittrace=1) take $INIT_MS ms (median of 5 starts), the largest (median each): $INIT_TOP"
  echo
  echo "Raw wrk results:"
  echo '```'
  for x in "${TARGETS[@]}"; do sed "s/^/$x /" "$TMP/wrk_$x.txt"; done
  for t in R S; do for x in A C; do sed "s/^/rate $x /" "$TMP/rate_$t$x.txt"; done; done
  echo "memory $MEM_SMALL"
  echo "memory $MEM_LARGE"
  echo "startup $STARTUP"
  echo "startup-floor $STARTUP_FLOOR"
  echo '```'
  if [ -n "$GOBENCH" ]; then
    echo
    echo "Go benchmarks (\`go test -run '^\$' -bench . -benchmem -benchtime $GOBENCH_TIME ${BENCH_PKGS[*]}\`, pinned to CPU $SRV_CPUS):"
    echo '```'
    printf '%s\n' "$GOBENCH" | grep -E '^(Benchmark|ok|pkg:)'
    echo '```'
  fi
  if [ -n "$PROFILE_TOP" ]; then
    echo
    echo "CPU profile of the BFF while serving A (go tool pprof -top; the file is bench/out/bff-cpu.pprof):"
    echo '```'
    printf '%s\n' "$PROFILE_TOP"
    echo '```'
  fi
} >"$OUT"
cat "$OUT"
log "summary written to $OUT"
