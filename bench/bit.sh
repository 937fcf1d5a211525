#!/usr/bin/env bash
# bench/bit.sh: latency of BridgeInTech's own routes through the BFF, on SQLite and on PostgreSQL, and what the
# database costs at start-up. Every server runs on 127.0.0.1; the figures go into BENCHMARKS.md.
#
#   bash bench/bit.sh              about 2 minutes
#
# For each database (an SQLite file; a throwaway PostgreSQL cluster of Debian's postgresql package, made here with
# initdb and removed at the end) it starts bin/bff against the MS emulator, logs one user in, and measures with
# benchtool at a fixed rate: GET /api/session (no database, no MS: the floor), GET /api/user/additional_info (a
# BIT read) and PUT /api/user/additional_info (a BIT write, an upsert). Then start-up time (exec to the first 200
# on /healthz) with each database, next to the BFF built from BASE (the commit before the database existed).
#
# Settings: READ_RATE (default 400/s), WRITE_RATE (200/s), DURATION (10s), STARTUP_RUNS (15), BASE (a commit; default
# 1665952), KEEP=1 keeps the temporary folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
READ_RATE=${READ_RATE:-400}
WRITE_RATE=${WRITE_RATE:-200}
DURATION=${DURATION:-10s}
STARTUP_RUNS=${STARTUP_RUNS:-15}
BASE=${BASE:-1665952}

log() { printf '%s bit-bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$PGBIN/initdb" ] || die "PostgreSQL server binaries are missing: apt-get install postgresql"

TMP=$(mktemp -d /tmp/bitbench.XXXXXX)
chmod 755 "$TMP"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -f "$TMP/pg/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$TMP/pg" -m fast stop >/dev/null 2>&1 || true; fi
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && log "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

log "building bin/bff, bin/msemu, benchtool and the base build ($BASE)"
go build -o bin/bff . && go build -o bin/msemu ./cmd/msemu && go build -o "$TMP/benchtool" ./bench/benchtool
mkdir -p "$TMP/base" && git archive "$BASE" | tar -x -C "$TMP/base" && (cd "$TMP/base" && go build -o "$TMP/bff-base" .)
BT="$TMP/benchtool"
mapfile -t PORTS < <($BT ports -n 3)
MS_PORT=${PORTS[0]} PG_PORT=${PORTS[1]} BFF_PORT=${PORTS[2]}

SECRET=bench-ms-secret
bin/msemu -addr "127.0.0.1:$MS_PORT" -secret "$SECRET" -load-users 10 >"$TMP/msemu.log" 2>&1 &
PIDS+=($!)

log "PostgreSQL $(basename "$(dirname "$PGBIN")") on port $PG_PORT"
mkdir -p "$TMP/pg" "$TMP/pgsock"
[ "$(id -u)" = 0 ] && chown postgres "$TMP/pg" "$TMP/pgsock"
as_pg "$PGBIN/initdb" -D "$TMP/pg" -U postgres --auth=trust >"$TMP/initdb.log" 2>&1 || die "initdb: $(tail -n3 "$TMP/initdb.log")"
as_pg "$PGBIN/pg_ctl" -D "$TMP/pg" -w -l "$TMP/pg/server.log" \
  -o "-p $PG_PORT -k $TMP/pgsock -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null || die "pg_ctl start"
PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"

ENV=(HOST=127.0.0.1 MS_BASE_URL="http://127.0.0.1:$MS_PORT" SESSION_KEYS=$(openssl rand -hex 32)
  MS_JWT_SECRET="$SECRET" COOKIE_SECURE=false LOG_LEVEL=warn)
BODY='{"is_organization_rep":false,"timezone":"Europe/London","phone":"+44 20 7946 0000","mobile":"","personal_website":"https://example.org"}'

wait_ready() {
  for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}

declare -A RES
for db in sqlite postgres; do
  url="sqlite:$TMP/bit.db"; [ "$db" = postgres ] && url=$PG_URL
  env "${ENV[@]}" PORT="$BFF_PORT" DATABASE_URL="$url" bin/bff >"$TMP/bff-$db.log" 2>&1 &
  pid=$!
  wait_ready "$BFF_PORT" || die "the BFF on $db did not start: $(tail -n3 "$TMP/bff-$db.log")"
  cookie=$($BT login -url "http://127.0.0.1:$BFF_PORT" -n 1)
  H=(-H "Cookie: bit_session=$cookie" -H "X-CSRF: 1")
  curl -fsS -X PUT "${H[@]}" -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$BFF_PORT/api/user/additional_info" >/dev/null
  log "$db: GET /api/session at $READ_RATE/s"
  RES[$db-floor]=$($BT rate -url "http://127.0.0.1:$BFF_PORT/api/session" "${H[@]}" -rate "$READ_RATE" -duration "$DURATION" -conns 16)
  log "$db: GET /api/user/additional_info at $READ_RATE/s"
  RES[$db-read]=$($BT rate -url "http://127.0.0.1:$BFF_PORT/api/user/additional_info" "${H[@]}" -rate "$READ_RATE" -duration "$DURATION" -conns 16)
  log "$db: PUT /api/user/additional_info at $WRITE_RATE/s"
  RES[$db-write]=$($BT rate -method PUT -body "$BODY" -url "http://127.0.0.1:$BFF_PORT/api/user/additional_info" "${H[@]}" -rate "$WRITE_RATE" -duration "$DURATION" -conns 16)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  log "$db: start-up, $STARTUP_RUNS runs"
  benv=(); for e in "${ENV[@]}" "DATABASE_URL=$url"; do benv+=(-env "$e"); done
  RES[$db-startup]=$($BT startup -bin bin/bff -runs "$STARTUP_RUNS" "${benv[@]}")
done
benv=(); for e in "${ENV[@]}"; do benv+=(-env "$e"); done
log "base build ($BASE, no database): start-up"
RES[base-startup]=$($BT startup -bin "$TMP/bff-base" -runs "$STARTUP_RUNS" "${benv[@]}")
log "first start on a new SQLite file (migrations applied)"
RES[sqlite-first]=$($BT startup -bin bin/bff -runs 1 "${benv[@]}" -env "DATABASE_URL=sqlite:$TMP/fresh.db")
PG_FRESH="postgres://postgres@127.0.0.1:$PG_PORT/fresh?sslmode=disable"
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres fresh
log "first start on a new PostgreSQL database (migrations applied)"
RES[postgres-first]=$($BT startup -bin bin/bff -runs 1 "${benv[@]}" -env "DATABASE_URL=$PG_FRESH")

field() { sed -E "s/.* $2=([^ ]+).*/\1/" <<<"$1"; }
echo
echo "## BridgeInTech routes ($(date -u +%Y-%m-%d), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
echo
echo "| database | route | rate/s | p50 µs | p99 µs | non-2xx | errors |"
echo "|---|---|---|---|---|---|---|"
for db in sqlite postgres; do
  for k in floor read write; do
    r=${RES[$db-$k]}
    case $k in floor) route="GET /api/session (no database)" ;; read) route="GET /api/user/additional_info" ;; write) route="PUT /api/user/additional_info" ;; esac
    echo "| $db | $route | $(field "$r" achieved_rate) | $(field "$r" p50_us) | $(field "$r" p99_us) | $(field "$r" non200) | $(field "$r" errors) |"
  done
done
echo
echo "| start-up (exec → first 200 on /healthz) | median ms | min ms | max ms |"
echo "|---|---|---|---|"
for k in base-startup sqlite-startup postgres-startup sqlite-first postgres-first; do
  r=${RES[$k]}
  echo "| $k | $(field "$r" median_ms) | $(field "$r" min_ms) | $(field "$r" max_ms) |"
done
