#!/usr/bin/env bash
# Load test of the operations issue: wrk on loopback, 60 s at 256 connections per endpoint of
# the mix (nearby k=10, bbox, corridor, search, a static file, /health), the floor
# (/health/live: a fixed tiny JSON through the full middleware stack), then the whole mix in
# one run. Prints a markdown table; raw lines in tools/load/out/run.txt.
#
#   tools/load/run.sh            DURATION=60 CONNECTIONS=256 by default
#
# Builds --release once, serves the shipped geodata/ and web/ on 127.0.0.1 (a free port), with
# the per-client rate limit of heavy requests as shipped (off for loopback clients).
set -euo pipefail
source "$(dirname "$0")/common.sh"
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-256}
# The server as shipped (its heavy queue of 512 holds all 256 connections); SERVER_ARGS adds
# flags, e.g. SERVER_ARGS="--heavy-queue 64" to see load shedding (503 with Retry-After).
read -r -a server_args <<<"${SERVER_ARGS-}"

need_wrk
need_web
build
db_dir=$(mktemp -d)
trap 'stop_server; rm -rf "$db_dir"' EXIT
start_server "$OUT/run-server.log" --data "$ROOT/geodata" --web "$ROOT/web" --db "$db_dir/loops.sqlite" "${server_args[@]}"
echo "server pid $SERVER_PID on $ADDR; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

raw=$OUT/run.txt
: >"$raw"
declare -A line
for name in floor nearby bbox corridor search static health; do
    echo "wrk ${DURATION}s x ${CONNECTIONS} connections: $name" >&2
    line[$name]=$(wrk_run "$DURATION" "$CONNECTIONS" endpoint.lua "$name")
    echo "$name ${line[$name]} load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$raw" >&2
done
echo "wrk ${DURATION}s x ${CONNECTIONS} connections: the mix, round-robin" >&2
line[mix]=$(wrk_run "$DURATION" "$CONNECTIONS" mix.lua)
echo "mix ${line[mix]} load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$raw" >&2
echo "server VmRSS after the runs: $(rss_kib "$SERVER_PID") KiB" | tee -a "$raw" >&2

floor_rps=$(field rps "${line[floor]}")
echo
echo "| endpoint | requests | req/s | p50 ms | p99 ms | non-2xx | socket errors | % of floor |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for name in floor nearby bbox corridor search static health mix; do
    l=${line[$name]}
    rps=$(field rps "$l")
    pct=$(awk -v a="$rps" -v b="$floor_rps" 'BEGIN {printf "%.1f", 100 * a / b}')
    echo "| $name | $(field requests "$l") | $rps | $(field p50_ms "$l") | $(field p99_ms "$l") | $(field non2xx "$l") | $(field socket_errors "$l") | $pct |"
done
nearby_pct=$(awk -v a="$(field rps "${line[nearby]}")" -v b="$floor_rps" 'BEGIN {printf "%.1f", 100 * a / b}')
verdict=$(awk -v p="$nearby_pct" 'BEGIN {print (p >= 25 ? "met" : "NOT met")}')
echo
echo "nearby k=10 at $nearby_pct % of the floor's throughput (target >= 25 %): $verdict"
errors=0
for name in "${!line[@]}"; do
    errors=$((errors + $(field non2xx "${line[$name]}") + $(field socket_errors "${line[$name]}")))
done
echo "errors over all runs: $errors"
