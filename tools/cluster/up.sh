#!/usr/bin/env bash
# A test cluster on loopback: PostgreSQL/PostGIS, REPLICAS `yuqian serve` replicas sharing it,
# and HAProxy in front.
#
#   tools/cluster/up.sh [DIR]     start it (DIR default var/cluster); prints the balancer's URL
#   tools/cluster/replica.sh ...  stop, kill or start one replica (see there)
#   tools/cluster/down.sh [DIR]   stop everything and remove DIR
#
# Environment:
#   REPLICAS    number of replicas (default 3)
#   LB_PORT     the balancer's port (default 18080); its statistics page is on LB_PORT+1 (/stats)
#   BASE_PORT   replica i listens on BASE_PORT+i (default 18090: 18091, 18092, ...)
#   PG_PORT     PostgreSQL's port (default 18432)
#   DATA        the data folder loaded into the database as its first data version (default geodata)
#   DATA_SOURCE postgres (default): the replicas read the data from the database; folder: each
#               reads DATA itself (only the saved loops are shared), for comparison
#   YUQIAN      the binary (default target/debug/yuqian, built if missing)
#   YUQIAN_ARGS extra arguments of every `yuqian serve`
#   WAIT_S      seconds a replica may take to become ready (default 60; a 10M set needs more)
#
# The replicas read the newest data version from the database (`--data postgres://...`) and
# keep saved loops there (`--db postgres://...`); a `yuqian load DIR --into URL` reaches all
# of them without a restart. Everything runs in the foreground of nothing: pids and logs are in
# DIR (replica-N.pid, replica-N.log, haproxy.log, pg/run/postgres.log).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(realpath -m "${1:-$root/var/cluster}")
REPLICAS=${REPLICAS:-3}
LB_PORT=${LB_PORT:-18080}
BASE_PORT=${BASE_PORT:-18090}
PG_PORT=${PG_PORT:-18432}
DATA=${DATA:-$root/geodata}
YUQIAN=${YUQIAN:-$root/target/debug/yuqian}
here=$(dirname "$0")

command -v haproxy >/dev/null || { echo "no haproxy (make setup-system installs it)" >&2; exit 1; }
if [[ ! -x $YUQIAN ]]; then (cd "$root" && cargo build --quiet); fi
mkdir -p "$dir"
cat >"$dir/cluster.env" <<ENV
REPLICAS=$REPLICAS
LB_PORT=$LB_PORT
BASE_PORT=$BASE_PORT
PG_PORT=$PG_PORT
YUQIAN=$YUQIAN
ENV

url=$("$root/tools/pg/throwaway.sh" start "$dir/db" "$PG_PORT")
echo "$url" >"$dir/db.url"
case ${DATA_SOURCE:-postgres} in
postgres)
    "$YUQIAN" load "$DATA" --into "$url" >"$dir/load.log"
    echo "$url" >"$dir/data.source"
    ;;
folder) echo "$DATA" >"$dir/data.source" ;;
*) echo "DATA_SOURCE must be postgres or folder" >&2; exit 2 ;;
esac

for i in $(seq 1 "$REPLICAS"); do
    "$here/replica.sh" start "$i" "$dir"
done
for i in $(seq 1 "$REPLICAS"); do
    "$here/replica.sh" wait "$i" "$dir"
done

servers=""
for i in $(seq 1 "$REPLICAS"); do
    servers+="    server r$i 127.0.0.1:$((BASE_PORT + i)) check"$'\n'
done
sed -e "s/@LB_PORT@/$LB_PORT/" -e "s/@STATS_PORT@/$((LB_PORT + 1))/" "$here/haproxy.cfg.in" \
    | awk -v servers="$servers" '{ if ($0 == "@SERVERS@") printf "%s", servers; else print }' >"$dir/haproxy.cfg"
haproxy -c -q -f "$dir/haproxy.cfg"
haproxy -D -f "$dir/haproxy.cfg" -p "$dir/haproxy.pid" 2>>"$dir/haproxy.log"
# The balancer answers once its health checks have found the replicas up.
for _ in $(seq 1 100); do
    if curl -fs -o /dev/null "http://127.0.0.1:$LB_PORT/health/ready"; then
        echo "http://127.0.0.1:$LB_PORT"
        exit 0
    fi
    sleep 0.1
done
echo "the balancer on port $LB_PORT did not become ready (see $dir/haproxy.log)" >&2
exit 1
