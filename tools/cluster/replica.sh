#!/usr/bin/env bash
# One replica of the test cluster of tools/cluster/up.sh.
#
#   tools/cluster/replica.sh start N [DIR]   start replica N (port BASE_PORT+N) in the background
#   tools/cluster/replica.sh wait N [DIR]    wait until its /health/ready says 200 (at most WAIT_S,
#                                            default 60 s)
#   tools/cluster/replica.sh stop N [DIR]    SIGTERM: it drains (ready 503) and stops
#   tools/cluster/replica.sh kill N [DIR]    SIGKILL, as a crash would
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[[ $# -ge 2 ]] || { echo "usage: $0 start|wait|stop|kill N [DIR]" >&2; exit 2; }
cmd=$1 n=$2
dir=$(realpath -m "${3:-$root/var/cluster}")
# shellcheck source=/dev/null
source "$dir/cluster.env"
url=$(cat "$dir/db.url")
data=$(cat "$dir/data.source")
port=$((BASE_PORT + n))
pidfile=$dir/replica-$n.pid
case $cmd in
start)
    # shellcheck disable=SC2086
    NO_COLOR=1 setsid "$YUQIAN" serve --addr "127.0.0.1:$port" --data "$data" --db "$url" --web "$root/web" \
        ${YUQIAN_ARGS:-} >>"$dir/replica-$n.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    ;;
wait)
    for _ in $(seq 1 $((${WAIT_S:-60} * 10))); do
        if curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready"; then exit 0; fi
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "replica $n stopped (see $dir/replica-$n.log)" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "replica $n did not become ready in ${WAIT_S:-60} s (see $dir/replica-$n.log)" >&2
    exit 1
    ;;
stop | kill)
    [[ -f $pidfile ]] || exit 0
    pid=$(cat "$pidfile")
    kill "-$([[ $cmd == kill ]] && echo KILL || echo TERM)" "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$pidfile"
    ;;
*) echo "usage: $0 start|wait|stop|kill N [DIR]" >&2; exit 2 ;;
esac
