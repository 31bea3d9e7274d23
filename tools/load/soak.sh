#!/usr/bin/env bash
# Soak of the operations issue: the load mix (tools/load/mix.lua) for 10 minutes at 256
# connections, sampling the server's VmRSS from /proc every 10 s. Reports the RSS at minute 2
# and minute 10, and the largest deviation from the minute-2 figure from minute 2 on (target:
# within 5 %), and the errors (target: 0). Samples in tools/load/out/soak-rss.tsv.
#
#   tools/load/soak.sh            MINUTES=10 CONNECTIONS=256 by default
set -euo pipefail
source "$(dirname "$0")/common.sh"
MINUTES=${MINUTES:-10}
CONNECTIONS=${CONNECTIONS:-256}
# The server as shipped; SERVER_ARGS adds flags.
read -r -a server_args <<<"${SERVER_ARGS-}"
secs=$((MINUTES * 60))

need_wrk
need_web
build
db_dir=$(mktemp -d)
wrk_pid=
trap '[[ -n $wrk_pid ]] && kill "$wrk_pid" 2>/dev/null; stop_server; rm -rf "$db_dir"' EXIT
start_server "$OUT/soak-server.log" --data "$ROOT/geodata" --web "$ROOT/web" --db "$db_dir/loops.sqlite" "${server_args[@]}"
echo "server pid $SERVER_PID on $ADDR; soak ${MINUTES} min x ${CONNECTIONS} connections" >&2

samples=$OUT/soak-rss.tsv
printf 's\trss_kib\n0\t%s\n' "$(rss_kib "$SERVER_PID")" >"$samples"
wrk_run "$secs" "$CONNECTIONS" mix.lua >"$OUT/soak-wrk.txt" &
wrk_pid=$!
start=$(date +%s)
# One sample every 10 s, at most secs/10 + 6 of them, and none once wrk is done.
for _ in $(seq $((secs / 10 + 6))); do
    sleep 10
    kill -0 "$wrk_pid" 2>/dev/null || break
    printf '%s\t%s\n' $(($(date +%s) - start)) "$(rss_kib "$SERVER_PID")" >>"$samples"
done
wait "$wrk_pid" || true
wrk_pid=
result=$(cat "$OUT/soak-wrk.txt")
echo "$result"

awk -F'\t' -v from=120 -v to="$secs" '
    NR == 1 { next }
    $1 >= from && base == "" { base = $2; base_s = $1 }
    $1 >= from { last = $2; last_s = $1; if ($2 > hi) hi = $2; if (lo == "" || $2 < lo) lo = $2 }
    END {
        up = 100 * (hi - base) / base; down = 100 * (base - lo) / base
        dev = up > down ? up : down
        printf "RSS at %d s (minute 2): %.1f MiB; at %d s (end): %.1f MiB; min %.1f MiB, max %.1f MiB from minute 2 on\n", base_s, base / 1024, last_s, last / 1024, lo / 1024, hi / 1024
        printf "largest deviation from minute 2: %.2f %% (target <= 5 %%): %s\n", dev, dev <= 5 ? "met" : "NOT met"
    }' "$samples"
errors=$(( $(field non2xx "$result") + $(field socket_errors "$result") ))
echo "errors: $errors"
