#!/usr/bin/env bash
# bench/bit.sh: latency of BridgeInTech's own routes through the BFF, on SQLite and on PostgreSQL, and what the
# database costs at start-up. Every server runs on 127.0.0.1; the figures go into BENCHMARKS.md.
#
#   bash bench/bit.sh              about 2 minutes
#
# For each database (an SQLite file; a throwaway PostgreSQL cluster of Debian's postgresql package, made here with
# initdb and removed at the end) it starts bin/bff against the MS emulator, logs one user in, and measures with
# benchtool at a fixed rate: GET /api/session (no database, no MS), then BridgeInTech's reads and writes: GET and
# PUT /api/user/additional_info (an upsert), GET /api/organizations (names from the BFF's cache after the first
# call), GET /api/organizations/{id}/programs (a page of 8 programs) and PUT …/programs/{id} (an update). Then it
# stops the BFF and runs the same routes against bench/bitfloor on the same database: a minimal Go server making
# the same queries with the same driver, the floor of what the database costs. Then start-up time (exec to the
# first 200 on /healthz) with each database, next to the BFF built from BASE (the commit before the database
# existed).
#
# Settings: READ_RATE (default 400/s), WRITE_RATE (200/s), DURATION (10s), STARTUP_RUNS (15), BASE (a commit; default
# 1665952), KEEP=1 keeps the temporary folder. A quick check that the script works: DURATION=2s READ_RATE=50
# WRITE_RATE=20 STARTUP_RUNS=1 bash bench/bit.sh.
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
go build -o bin/bff . && go build -o bin/msemu ./cmd/msemu && go build -o "$TMP/benchtool" ./bench/benchtool &&
  go build -o "$TMP/bitfloor" ./bench/bitfloor
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
BODY='{"is_organization_rep":true,"timezone":"Europe/London","phone":"+44 20 7946 0000","mobile":"","personal_website":"https://example.org"}'

wait_ready() {
  for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}

ORG_BODY='{"representative_department":"Outreach","name":"Bench Org","email":"bench@example.org","about":"","address":"","website":"https://bench.example.org","timezone":"GMT0","phone":"+1 555 0100","status":"Publish"}'
program_body() { # $1: the program's name
  printf '{"program_name":"%s","start_date":"2027-02-01 09:00","end_date":"2027-05-31 17:00","description":"Twelve weeks of mentoring.","target_skills":["Go","SQL"],"target_candidate_gender":"","target_candidate_age":"","target_candidate_ethnicity":"","target_candidate_sexual_orientation":"","target_candidate_religion":"","target_candidate_physical_ability":"","target_candidate_mental_ability":"","target_candidate_socio_economic":"","target_candidate_highest_education":"","target_candidate_years_of_experience":"","target_candidate_other":"","payment_currency":"USD","payment_amount":100,"contact_type":"Remote","zone":"Global","student_responsibility":["Attend"],"mentor_responsibility":["Review"],"organization_responsibility":[""],"student_requirements":[""],"mentor_requirements":[""],"resources_provided":["Laptop"],"contact_name":"Pat","contact_department":"Programs","program_address":"Online","contact_phone":"+1 555 0101","contact_mobile":"","contact_email":"programs@example.org","program_website":"https://example.org/p","irc_channel":"","tags":["mentoring"],"status":"Open"}' "$1"
}
ROUTES=(session info-read info-write orgs-read programs-read program-write)

# measure SIDE DB URL HEADERS...: every route of ROUTES the side serves, at the fixed rates, into RES[DB-SIDE-ROUTE].
measure() {
  local side=$1 db=$2 u=$3; shift 3
  local H=("$@")
  if [ "$side" = bff ]; then
    log "$db $side: GET /api/session at $READ_RATE/s"
    RES[$db-$side-session]=$($BT rate -url "$u/api/session" "${H[@]}" -rate "$READ_RATE" -duration "$DURATION" -conns 16)
  fi
  log "$db $side: the BridgeInTech routes"
  RES[$db-$side-info-read]=$($BT rate -url "$u/api/user/additional_info" "${H[@]}" -rate "$READ_RATE" -duration "$DURATION" -conns 16)
  RES[$db-$side-info-write]=$($BT rate -method PUT -body "$BODY" -url "$u/api/user/additional_info" "${H[@]}" -rate "$WRITE_RATE" -duration "$DURATION" -conns 16)
  RES[$db-$side-orgs-read]=$($BT rate -url "$u/api/organizations" "${H[@]}" -rate "$READ_RATE" -duration "$DURATION" -conns 16)
  RES[$db-$side-programs-read]=$($BT rate -url "$u/api/organizations/$ORG_ID/programs" "${H[@]}" -rate "$READ_RATE" -duration "$DURATION" -conns 16)
  RES[$db-$side-program-write]=$($BT rate -method PUT -body "$(program_body "Bench 0")" -url "$u/api/organizations/$ORG_ID/programs/$PROGRAM_ID" "${H[@]}" -rate "$WRITE_RATE" -duration "$DURATION" -conns 16)
}

declare -A RES
for db in sqlite postgres; do
  url="sqlite:$TMP/bit.db"; [ "$db" = postgres ] && url=$PG_URL
  env "${ENV[@]}" PORT="$BFF_PORT" DATABASE_URL="$url" bin/bff >"$TMP/bff-$db.log" 2>&1 &
  pid=$!
  wait_ready "$BFF_PORT" || die "the BFF on $db did not start: $(tail -n3 "$TMP/bff-$db.log")"
  base="http://127.0.0.1:$BFF_PORT"
  cookie=$($BT login -url "$base" -n 1)
  H=(-H "Cookie: bit_session=$cookie" -H "X-CSRF: 1")
  J=(-H 'Content-Type: application/json')
  curl -fsS -X PUT "${H[@]}" "${J[@]}" -d "$BODY" "$base/api/user/additional_info" >/dev/null
  curl -fsS -X PUT "${H[@]}" "${J[@]}" -d "$ORG_BODY" "$base/api/organization" >/dev/null
  ORG_ID=$(curl -fsS "${H[@]}" "$base/api/organization" | grep -o '"id":[0-9]*' | head -n1 | cut -d: -f2)
  for i in $(seq 0 7); do
    curl -fsS -X POST "${H[@]}" "${J[@]}" -d "$(program_body "Bench $i")" "$base/api/organizations/$ORG_ID/programs/program" >/dev/null
  done
  PROGRAM_ID=$(curl -fsS "${H[@]}" "$base/api/organizations/$ORG_ID/programs" | grep -o '"id":[0-9]*' | head -n1 | cut -d: -f2)
  USER_ID=$(curl -fsS "${H[@]}" "$base/api/user/additional_info" | grep -o '"user_id":[0-9]*' | cut -d: -f2)
  [ -n "$ORG_ID" ] && [ -n "$PROGRAM_ID" ] && [ -n "$USER_ID" ] || die "$db: the organization or its programs were not created"
  measure bff "$db" "$base" "${H[@]}"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  "$TMP/bitfloor" -addr "127.0.0.1:$BFF_PORT" -db "$url" -user "$USER_ID" >"$TMP/floor-$db.log" 2>&1 &
  fpid=$!
  for _ in $(seq 1 100); do curl -fsS "$base/api/user/additional_info" >/dev/null 2>&1 && break; sleep 0.05; done
  measure floor "$db" "$base" -H "Content-Type: application/json"
  kill -TERM "$fpid"; wait "$fpid" 2>/dev/null || true
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
echo "| database | route | BFF rate/s | BFF p50 µs | BFF p99 µs | floor rate/s | floor p50 µs | floor p99 µs | non-2xx (BFF/floor) |"
echo "|---|---|---|---|---|---|---|---|---|"
for db in sqlite postgres; do
  for k in "${ROUTES[@]}"; do
    case $k in
      session) route="GET /api/session (no database)" ;;
      info-read) route="GET /api/user/additional_info" ;;
      info-write) route="PUT /api/user/additional_info" ;;
      orgs-read) route="GET /api/organizations" ;;
      programs-read) route="GET /api/organizations/{id}/programs (8)" ;;
      program-write) route="PUT /api/organizations/{id}/programs/{id}" ;;
    esac
    b=${RES[$db-bff-$k]:-} f=${RES[$db-floor-$k]:-}
    fr="-" fp50="-" fp99="-" fn="-"
    if [ -n "$f" ]; then fr=$(field "$f" achieved_rate) fp50=$(field "$f" p50_us) fp99=$(field "$f" p99_us) fn=$(field "$f" non200); fi
    echo "| $db | $route | $(field "$b" achieved_rate) | $(field "$b" p50_us) | $(field "$b" p99_us) | $fr | $fp50 | $fp99 | $(field "$b" non200)/$fn |"
  done
done
echo
echo "| start-up (exec → first 200 on /healthz) | median ms | min ms | max ms |"
echo "|---|---|---|---|"
for k in base-startup sqlite-startup postgres-startup sqlite-first postgres-first; do
  r=${RES[$k]}
  echo "| $k | $(field "$r" median_ms) | $(field "$r" min_ms) | $(field "$r" max_ms) |"
done
