#!/usr/bin/env bash
# bench/revocations.sh: what 100,000 live revocations cost an instance at start-up, on SQLite and on PostgreSQL.
# Every server runs on 127.0.0.1; the figures go into BENCHMARKS.md.
#
#   bash bench/revocations.sh       about 2 minutes
#
# For each database (an SQLite file; a throwaway PostgreSQL cluster of Debian's postgresql package, made here with
# initdb and removed at the end) it measures, with `benchtool startup`, STARTUP_RUNS starts of bin/bff from exec
# to the first 200 on /healthz and the process's peak RSS at that moment, first on an empty database, then after
# `benchtool revocations` has stored N live revocations (half single sessions, half per-user cutoffs) through
# the store's own Revoke. The BFF loads every live revocation into memory before it listens (at most 2 s), so
# the difference is the load's time and memory.
#
# Settings: N (default 100000), STARTUP_RUNS (10), KEEP=1 keeps the temporary folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
N=${N:-100000}
STARTUP_RUNS=${STARTUP_RUNS:-10}

log() { printf '%s revocations-bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$PGBIN/initdb" ] || die "PostgreSQL server binaries are missing: apt-get install postgresql"

TMP=$(mktemp -d /tmp/revbench.XXXXXX)
chmod 755 "$TMP"
cleanup() {
  if [ -f "$TMP/pg/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$TMP/pg" -m fast stop >/dev/null 2>&1 || true; fi
  [ "${KEEP:-0}" = 1 ] && log "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

log "building bin/bff and benchtool"
go build -o bin/bff . || die "build bin/bff"
go build -o "$TMP/benchtool" ./bench/benchtool || die "build benchtool"
BT=$TMP/benchtool

PG_PORT=$($BT ports -n 1)
mkdir -p "$TMP/pg" "$TMP/pgsock"
[ "$(id -u)" = 0 ] && chown postgres "$TMP/pg" "$TMP/pgsock"
as_pg "$PGBIN/initdb" -D "$TMP/pg" -U postgres --auth=trust >"$TMP/initdb.log" 2>&1 || die "initdb: $(tail -n3 "$TMP/initdb.log")"
as_pg "$PGBIN/pg_ctl" -D "$TMP/pg" -w -l "$TMP/pg/server.log" \
  -o "-p $PG_PORT -k $TMP/pgsock -c listen_addresses=127.0.0.1" start >/dev/null || die "pg_ctl start"
pgdb() { as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$1"; echo "postgres://postgres@127.0.0.1:$PG_PORT/$1?sslmode=disable"; }

# The BFF needs an MS address and keys to start; it never calls MS here (/healthz asks nothing of MS).
benv=(-env HOST=127.0.0.1 -env MS_BASE_URL=http://127.0.0.1:9 -env "SESSION_KEYS=$(openssl rand -hex 32)"
  -env COOKIE_SECURE=false -env LOG_LEVEL=warn)

declare -A RES
for db in sqlite postgres; do
  for n in 0 "$N"; do
    if [ "$db" = sqlite ]; then url="sqlite:$TMP/rev-$n.db"; else url=$(pgdb "rev$n"); fi
    # The first start creates the schema (migrations), so the seeding and the measured starts find it made.
    $BT startup -bin bin/bff -runs 1 "${benv[@]}" -env "DATABASE_URL=$url" >/dev/null || die "first start on $db"
    if [ "$n" -gt 0 ]; then
      log "$db: storing $n revocations"
      seed=$($BT revocations -db "$url" -n "$n") || die "seeding $db: $seed"
      log "$db: $seed"
    fi
    RES[$db-$n]=$($BT startup -bin bin/bff -runs "$STARTUP_RUNS" "${benv[@]}" -env "DATABASE_URL=$url") || die "start-up on $db with $n: ${RES[$db-$n]}"
    log "$db, $n revocations: ${RES[$db-$n]}"
  done
done

echo "| database | live revocations | start-up median (min–max), exec to first 200 | peak RSS at first 200 |"
echo "|---|---|---|---|"
for db in sqlite postgres; do
  for n in 0 "$N"; do
    r=${RES[$db-$n]}
    med=$(sed -n 's/.*median_ms=\([^ ]*\).*/\1/p' <<<"$r"); mn=$(sed -n 's/.*min_ms=\([^ ]*\).*/\1/p' <<<"$r")
    mx=$(sed -n 's/.*max_ms=\([^ ]*\).*/\1/p' <<<"$r"); rss=$(sed -n 's/.*median_peak_rss_mb=\([^ ]*\).*/\1/p' <<<"$r")
    echo "| $db | $n | $med ms ($mn–$mx) | $rss MB |"
  done
done
