#!/usr/bin/env bash
# Stops the test cluster of tools/cluster/up.sh (balancer, replicas, PostgreSQL) and removes DIR.
#
#   tools/cluster/down.sh [DIR]     (DIR default var/cluster)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(realpath -m "${1:-$root/var/cluster}")
[[ -d $dir ]] || exit 0
if [[ -f $dir/haproxy.pid ]]; then
    kill "$(cat "$dir/haproxy.pid")" 2>/dev/null
fi
for pidfile in "$dir"/replica-*.pid; do
    [[ -f $pidfile ]] || continue
    n=${pidfile##*/replica-}
    "$(dirname "$0")/replica.sh" stop "${n%.pid}" "$dir"
done
"$root/tools/pg/throwaway.sh" destroy "$dir/db"
rm -rf "$dir"
