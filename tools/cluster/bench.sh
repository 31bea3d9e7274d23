#!/usr/bin/env bash
# Figures of issue 15 (BENCHMARKS.md, "Replicas over PostgreSQL (issue 15)"), on the cluster of
# tools/cluster/up.sh with the release binary:
#
#   throughput   the query mix of tools/load (mix.lua: nearby, bbox, corridor, search, static,
#                health) through HAProxy with 1, 2 and 3 replicas, and against one replica
#                directly (no balancer), serving from the database the shipped data, then the
#                shipped data plus the 1M synthetic set (THROUGHPUT_SETS); wrk -t2 -cC -dD
#   memory       VmRSS and VmHWM of a replica serving 1M and 10M synthetic features (plus the
#                shipped data) from the database, and of one serving the same from the folder
#   propagation  seconds from the start of `yuqian load` of a new version of the 1M set to all
#                three replicas answering with it (its own `load` time reported apart)
#
#   tools/cluster/bench.sh [STEP...]     steps: throughput memory propagation (all by default)
#
# Environment: WRK_DURATION=20 WRK_CONNECTIONS=32 SIZES_MEMORY="1000000 10000000"
#   THROUGHPUT_SETS="shipped 1000000"
#   DATA=/tmp/yuqian-tiles-data (synthetic sets, shared with tools/tiles_bench and tools/ogc_bench)
#   WORK=/tmp/yuqian-cluster-bench  RESULTS=tools/cluster/results/DATE
#   CARGO_TARGET_DIR honoured (the binary is $CARGO_TARGET_DIR/release/yuqian)
# Only loopback addresses are started and loaded. Everything started is stopped on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/yuqian
DATA=${DATA:-/tmp/yuqian-tiles-data}
WORK=${WORK:-/tmp/yuqian-cluster-bench}
RESULTS=${RESULTS:-$HERE/results/$(date -u +%F)}
WRK_DURATION=${WRK_DURATION:-20}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
SIZES_MEMORY=${SIZES_MEMORY:-"1000000 10000000"}
THROUGHPUT_SETS=${THROUGHPUT_SETS:-"shipped 1000000"}
export LOAD_DIR=$ROOT/tools/load
mkdir -p "$WORK" "$RESULTS"
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(throughput memory propagation)
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
log() { printf '\n== %s (load average %s)\n' "$*" "$(loadavg)" >&2; echo "$(date -u +%FT%TZ) load $(loadavg): $*" >>"$RESULTS/log.txt"; }
CL=$WORK/cluster
down() { "$HERE/down.sh" "$CL" >/dev/null 2>&1 || true; }
trap down EXIT

(cd "$ROOT" && cargo build --release --bin yuqian --examples --quiet)
git -C "$ROOT" rev-parse --short HEAD >"$RESULTS/commit.txt"

# synth N: the synthetic set of benches/ as GeoJSON (as tools/tiles_bench writes it), and the
# shipped data with it.
synth() {
    local n=$1
    if ! tail -c 3 "$DATA/synth-$n/synthetic_polygons.geojson" 2>/dev/null | grep -q ']}'; then
        log "writing the synthetic set of $n features"
        "$TARGET/release/examples/load_measure" write-synth "$DATA/synth-$n" "$n"
    fi
    if [[ ! -f $DATA/shipped+$n/layers.toml ]]; then
        mkdir -p "$DATA/shipped+$n"
        cp "$ROOT"/geodata/* "$DATA/shipped+$n/"
        cat "$DATA/synth-$n/layers.toml" >>"$DATA/shipped+$n/layers.toml"
        ln -sf "$DATA/synth-$n"/*.geojson "$DATA/shipped+$n/"
    fi
}

# up N DATA: a cluster of N replicas loaded with DATA; prints the time `load` took.
up() {
    down
    local started
    started=$(date +%s.%N)
    WAIT_S=1800 REPLICAS=$1 DATA=$2 YUQIAN=$BIN LB_PORT=18180 BASE_PORT=18190 PG_PORT=18432 \
        PG_EXTRA_CONF="shared_buffers = 1GB" "$HERE/up.sh" "$CL" >/dev/null
    echo "up with $1 replicas on $2: $(echo "$(date +%s.%N) - $started" | bc) s ($(grep -o 'in [0-9.]* s' "$CL/load.log" | head -1))" >>"$RESULTS/log.txt"
}

mix() { # mix URL LABEL
    local out
    out=$(wrk -t2 "-c$WRK_CONNECTIONS" "-d${WRK_DURATION}s" --timeout 10s -s "$LOAD_DIR/mix.lua" "$1" | grep '^RESULT')
    echo "$2 $out" | tee -a "$RESULTS/throughput.txt"
}

rss() { # rss PID: VmRSS and VmHWM in MB
    awk '/VmRSS|VmHWM/ { printf "%s %.0f MB  ", $1, $2 / 1024 }' "/proc/$1/status"
}

for step in "${steps[@]}"; do
    case $step in
    throughput)
        : >"$RESULTS/throughput.txt"
        for set in $THROUGHPUT_SETS; do
            if [[ $set == shipped ]]; then data=$ROOT/geodata; else synth "$set"; data=$DATA/shipped+$set; fi
            up 3 "$data"
            log "throughput on $set: one replica directly"
            mix "http://127.0.0.1:18191" "$set direct-1"
            for n in 3 2 1; do
                log "throughput on $set: $n replicas behind HAProxy"
                mix "http://127.0.0.1:18180" "$set haproxy-$n"
                [[ $n -gt 1 ]] && "$HERE/replica.sh" stop "$n" "$CL"
                sleep 2
            done
            down
        done
        ;;
    memory)
        : >"$RESULTS/memory.txt"
        for n in $SIZES_MEMORY; do
            synth "$n"
            log "memory: one replica on shipped+$n from the database"
            up 1 "$DATA/shipped+$n"
            echo "shipped+$n from postgres: $(rss "$(cat "$CL/replica-1.pid")") $(grep -o 'load[^,]*in [0-9.]* s' "$CL/load.log" | head -1)" | tee -a "$RESULTS/memory.txt"
            down
            log "memory: one server on shipped+$n from the folder"
            "$BIN" serve --addr 127.0.0.1:18199 --data "$DATA/shipped+$n" --db "$WORK/loops.sqlite" >"$WORK/folder.log" 2>&1 &
            pid=$!
            for _ in $(seq 1800); do curl -fs -o /dev/null http://127.0.0.1:18199/health/ready && break; sleep 0.2; done
            echo "shipped+$n from the folder: $(rss $pid)" | tee -a "$RESULTS/memory.txt"
            kill $pid; wait $pid 2>/dev/null || true
        done
        ;;
    propagation)
        synth 1000000
        up 3 "$DATA/shipped+1000000"
        # The new version: the same set with one more town.
        rm -rf "$WORK/next" && mkdir -p "$WORK/next"
        cp -L "$DATA/shipped+1000000"/* "$WORK/next/"
        python3 - "$WORK/next/towns.geojson" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
add = '{"type":"Feature","id":"town-bench-new","geometry":{"type":"Point","coordinates":[106.7,28.8]},"properties":{"name_zh":"新版本","name_en":"New version","status":"existing","provinces":["chongqing"],"source":"tools/cluster/bench.sh","accuracy":"real","location_known":true,"uncertainty_km":0.1}},\n'
open(p, "w").write(t.replace('"features":[\n', '"features":[\n' + add, 1))
PY
        : >"$RESULTS/propagation.txt"
        for rep in 1 2 3; do
            sed -i "s/\"town-bench-new[0-9]*\"/\"town-bench-new$rep\"/" "$WORK/next/towns.geojson"
            log "propagation run $rep"
            t0=$(date +%s.%N)
            "$BIN" load "$WORK/next" --into "$(cat "$CL/db.url")" >"$WORK/load-$rep.log" 2>&1
            t1=$(date +%s.%N)
            for i in 1 2 3; do
                until curl -fs -o /dev/null "http://127.0.0.1:$((18190 + i))/api/features/town-bench-new$rep"; do sleep 0.05; done
            done
            t2=$(date +%s.%N)
            echo "run $rep: load $(echo "$t1 - $t0" | bc) s, then all three replicas serving it $(echo "$t2 - $t1" | bc) s later; total $(echo "$t2 - $t0" | bc) s" | tee -a "$RESULTS/propagation.txt"
        done
        down
        ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
    esac
done
