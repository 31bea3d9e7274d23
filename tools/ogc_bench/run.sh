#!/usr/bin/env bash
# OGC API – Features benchmark of issue 12 (BENCHMARKS.md, "OGC API – Features (issue 12)"):
# `items?bbox=...&limit=100` of ours against pygeoapi 0.21 (its GeoJSON provider, gunicorn) on
# the same synthetic GeoJSON files, the same seeded boxes and the same client; and the first page
# against the last page (and `next` links) of the largest collection of the biggest set on ours.
#
#   tools/ogc_bench/run.sh [STEP...]     steps: data bbox pages wrk report (all, in that order)
#
# Environment:
#   SIZES="20000 1000000"       synthetic sets (benches/common/synth.rs via `load_measure write-synth`;
#                               reused from $DATA/synth-N when complete, as tools/tiles_bench writes them)
#   PEERS="ours pygeoapi"       which servers the bbox and wrk steps time
#   N=200                       boxes per kind ("uniform" over the set's extent, "on-data" centred on
#                               a random feature) for ours; the boxes are 0.05 x 0.05 degrees, seed 12
#   PYGEOAPI_N="20000:50 1000000:3"   the first boxes of the same lists for pygeoapi, per set
#   COLLECTIONS=synthetic_points,synthetic_lines,synthetic_polygons
#   LIMIT=100
#   PYGEOAPI_WORKERS=2          gunicorn sync workers
#   PYGEOAPI_TIMEOUT=300        client time-out per request, s (gunicorn's worker timeout: this + 30)
#   OURS_PREFIX=/ogc            where our OGC API is mounted (the peer's is at /)
#   PAGES_REPS=50 PAGES_CHAIN=20     first/last page repetitions and `next` hops (step pages)
#   PAGES_PYGEOAPI_SIZES=20000  sets on which pygeoapi's first/last page is also timed (5 reps)
#   WRK_DURATION=20 WRK_CONNECTIONS=8 PYGEOAPI_WRK_SIZES=20000   the concurrent runs (step wrk)
#   DATA=/tmp/yuqian-tiles-data the synthetic sets (shared with tools/tiles_bench)
#   WORK=/tmp/yuqian-ogc-bench  boxes, configs, logs, raw per-request JSON
#   RESULTS=tools/ogc_bench/results/DATE   the summaries to commit (no per-request rows)
#   VENV=/tmp/ogcbench-venv     pygeoapi, gunicorn and PyYAML (tools/ogc_bench/requirements.txt)
#   CARGO_TARGET_DIR            honoured (the binary is $CARGO_TARGET_DIR/release/yuqian)
#
# Only 127.0.0.1 servers are started and asked. Every server started here is stopped on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/yuqian-ogc-bench}
export OUT=$WORK
source "$HERE/../load/common.sh"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/yuqian
SIZES=${SIZES:-"20000 1000000"}
PEERS=${PEERS:-"ours pygeoapi"}
want() { [[ " $PEERS " == *" $1 "* ]]; }
N=${N:-200}
PYGEOAPI_N=${PYGEOAPI_N:-"20000:50 1000000:3"}
COLLECTIONS=${COLLECTIONS:-synthetic_points,synthetic_lines,synthetic_polygons}
LIMIT=${LIMIT:-100}
PYGEOAPI_WORKERS=${PYGEOAPI_WORKERS:-2}
PYGEOAPI_TIMEOUT=${PYGEOAPI_TIMEOUT:-300}
OURS_PREFIX=${OURS_PREFIX:-/ogc}
PAGES_REPS=${PAGES_REPS:-50}
PAGES_CHAIN=${PAGES_CHAIN:-20}
PAGES_PYGEOAPI_SIZES=${PAGES_PYGEOAPI_SIZES:-20000}
WRK_DURATION=${WRK_DURATION:-20}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-8}
PYGEOAPI_WRK_SIZES=${PYGEOAPI_WRK_SIZES:-20000}
DATA=${DATA:-/tmp/yuqian-tiles-data}
RESULTS=${RESULTS:-$HERE/results/$(date -u +%F)}
VENV=${VENV:-/tmp/ogcbench-venv}
mkdir -p "$WORK" "$DATA" "$RESULTS"
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(data bbox pages wrk report)
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
log() { printf '\n== %s (load average %s)\n' "$*" "$(loadavg)" >&2; echo "$(date -u +%FT%TZ) load $(loadavg): $*" >>"$RESULTS/load.txt"; }

PY=$VENV/bin/python
if [[ ! -x $VENV/bin/gunicorn ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
fi
B() { "$PY" "$HERE/bench.py" "$@"; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pygeoapi_n() { local s; for s in $PYGEOAPI_N; do [[ ${s%%:*} == "$1" ]] && { echo "${s#*:}"; return; }; done; echo 3; }
biggest() { echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1; }

# ---- the peers -------------------------------------------------------------------------------
PG_PID=
PG_ADDR=
# start_pygeoapi SIZE: pygeoapi on synth-SIZE under gunicorn on 127.0.0.1; sets PG_PID (the
# gunicorn master), PG_ADDR and PG_READY_S (start to /collections answering).
start_pygeoapi() {
    local n=$1 port cfg api
    port=$(free_port)
    PG_ADDR=127.0.0.1:$port
    cfg=$WORK/pygeoapi-$n.yml
    api=$WORK/pygeoapi-$n-openapi.yml
    B pygeoapi-config "$DATA/synth-$n" "$port" "$cfg" "$WORK/boxes-synth-$n.json"
    # The OpenAPI document is generated before start (pygeoapi refuses to start without it); the
    # generator opens every collection's provider, i.e. reads each file once.
    PYGEOAPI_CONFIG=$cfg "$VENV/bin/pygeoapi" openapi generate "$cfg" --output-file "$api" >"$WORK/pygeoapi-$n-openapi.log" 2>&1
    local t0; t0=$(date +%s.%N)
    PYGEOAPI_CONFIG=$cfg PYGEOAPI_OPENAPI=$api "$VENV/bin/gunicorn" --workers "$PYGEOAPI_WORKERS" \
        --bind "$PG_ADDR" --timeout $((PYGEOAPI_TIMEOUT + 30)) pygeoapi.flask_app:APP >"$WORK/pygeoapi-$n.log" 2>&1 &
    PG_PID=$!
    for _ in $(seq 1200); do
        kill -0 "$PG_PID" 2>/dev/null || { tail -20 "$WORK/pygeoapi-$n.log" >&2; echo "gunicorn exited" >&2; PG_PID=; return 1; }
        if curl -fs -o /dev/null "http://$PG_ADDR/collections?f=json"; then
            PG_READY_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
            return 0
        fi
        sleep 0.1
    done
    echo "pygeoapi not ready within 120 s" >&2; return 1
}
pygeoapi_workers_mem() { # the workers' VmRSS / VmHWM in MiB
    local w
    for w in $(pgrep -P "$PG_PID"); do
        awk -v w="$w" '/^VmRSS:/ {r=$2} /^VmHWM:/ {h=$2} END {printf "worker %s VmRSS %.0f MiB VmHWM %.0f MiB; ", w, r/1024, h/1024}' "/proc/$w/status"
    done
}
stop_pygeoapi() {
    [[ -n $PG_PID ]] || return 0
    kill "$PG_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PG_PID" 2>/dev/null || true
    wait "$PG_PID" 2>/dev/null || true
    PG_PID=
}

# serve_ours SIZE: ours on synth-SIZE; sets READY_S (start to /health/ready). Returns 1 when the
# build has no OGC API at $OURS_PREFIX (then ours is skipped, and said so).
serve_ours() {
    local n=$1 t0; t0=$(date +%s.%N)
    start_server "$WORK/ours-$n.log" --data "$DATA/synth-$n" --web "$ROOT/web" --db "$WORK/loops-$n.sqlite"
    READY_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
    if ! curl -fs -o /dev/null -H 'Accept: application/json' "http://$ADDR$OURS_PREFIX/collections"; then
        echo "ours ($(git -C "$ROOT" rev-parse --short HEAD)) answers no $OURS_PREFIX/collections: ours is skipped" | tee -a "$RESULTS/load.txt" >&2
        stop_server
        return 1
    fi
}
trap 'stop_server; stop_pygeoapi' EXIT

# ---- steps ----------------------------------------------------------------------------------
step_data() {
    log "build (release): yuqian and the example load_measure"
    (cd "$ROOT" && cargo build --quiet --release --bin yuqian --example load_measure)
    local n f ok
    for n in $SIZES; do
        ok=1
        [[ -f $DATA/synth-$n/layers.toml ]] || ok=0
        for f in points lines polygons; do
            # A complete file of write-synth ends with the closing "]}" line.
            [[ $ok == 1 && $(tail -c 3 "$DATA/synth-$n/synthetic_$f.geojson" 2>/dev/null | tr -d '\n') == "]}" ]] || ok=0
        done
        if [[ $ok == 0 ]]; then
            log "writing the synthetic set of $n features"
            rm -rf "$DATA/synth-$n"
            "$TARGET/release/examples/load_measure" write-synth "$DATA/synth-$n" "$n"
        fi
        if [[ ! -s $WORK/boxes-synth-$n.json ]]; then
            log "drawing the boxes of synth-$n"
            B boxes "$DATA/synth-$n" "$WORK/boxes-synth-$n.json" --n "$N"
        fi
    done
}

step_bbox() {
    local n
    for n in $SIZES; do
        if want pygeoapi; then
            log "synth-$n: pygeoapi $(pygeoapi_n "$n") boxes per kind, $PYGEOAPI_WORKERS gunicorn workers"
            start_pygeoapi "$n"
            echo "pygeoapi synth-$n ready in $PG_READY_S s; $(pygeoapi_workers_mem)" | tee -a "$RESULTS/load.txt" >&2
            B bbox "http://$PG_ADDR" "$WORK/boxes-synth-$n.json" "$WORK/bbox-synth-$n-pygeoapi.json" \
                --collections "$COLLECTIONS" --n "$(pygeoapi_n "$n")" --limit "$LIMIT" --timeout "$PYGEOAPI_TIMEOUT" \
                --name "pygeoapi synth-$n" | tee "$RESULTS/bbox-synth-$n-pygeoapi.txt"
            echo "pygeoapi synth-$n after the run: $(pygeoapi_workers_mem)" | tee -a "$RESULTS/load.txt" >&2
            stop_pygeoapi
        fi
        if want ours; then
            log "synth-$n: ours $N boxes per kind"
            if serve_ours "$n"; then
                echo "ours synth-$n ready in $READY_S s; VmRSS $(rss_kib "$SERVER_PID") KiB" | tee -a "$RESULTS/load.txt" >&2
                B bbox "http://$ADDR$OURS_PREFIX" "$WORK/boxes-synth-$n.json" "$WORK/bbox-synth-$n-ours.json" \
                    --collections "$COLLECTIONS" --n "$N" --limit "$LIMIT" --timeout 60 \
                    --name "ours synth-$n" | tee "$RESULTS/bbox-synth-$n-ours.txt"
                stop_server
            fi
        fi
    done
}

# The largest collection of a set: the layer with the most features (from the boxes file).
largest() { "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["features"]; print(max(c, key=c.get))' "$WORK/boxes-synth-$1.json"; }

step_pages() {
    local n; n=$(biggest)
    local coll; coll=$(largest "$n")
    if want ours && log "synth-$n: ours, first vs last page of $coll ($PAGES_REPS each), $PAGES_CHAIN next links" && serve_ours "$n"; then
        B pages "http://$ADDR$OURS_PREFIX" "$coll" "$WORK/pages-synth-$n-ours.json" --reps "$PAGES_REPS" \
            --chain "$PAGES_CHAIN" --limit "$LIMIT" --name "ours synth-$n" | tee "$RESULTS/pages-synth-$n-ours.txt"
        stop_server
    fi
    for n in $PAGES_PYGEOAPI_SIZES; do
        want pygeoapi || break
        coll=$(largest "$n")
        log "synth-$n: pygeoapi, first vs last page of $coll (5 each), 3 next links"
        start_pygeoapi "$n"
        B pages "http://$PG_ADDR" "$coll" "$WORK/pages-synth-$n-pygeoapi.json" --reps 5 --chain 3 \
            --limit "$LIMIT" --timeout "$PYGEOAPI_TIMEOUT" --name "pygeoapi synth-$n" | tee "$RESULTS/pages-synth-$n-pygeoapi.txt"
        stop_pygeoapi
    done
}

# Concurrent: wrk over the bbox paths of the boxes (both kinds, every collection).
step_wrk() {
    local n r
    for n in $SIZES; do
        if want ours && serve_ours "$n"; then
            log "synth-$n: ours, wrk ${WRK_DURATION}s x $WRK_CONNECTIONS connections"
            B paths "$WORK/boxes-synth-$n.json" "$COLLECTIONS" "$OURS_PREFIX" "$WORK/paths-ours-$n.txt" --limit "$LIMIT"
            r=$(timeout $((WRK_DURATION + 60)) wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_DURATION}s" --timeout 10s \
                -s "$HERE/ogc.lua" "http://$ADDR" -- "$WORK/paths-ours-$n.txt" | grep '^RESULT')
            echo "ours synth-$n c=$WRK_CONNECTIONS $r" | tee -a "$RESULTS/wrk.txt"
            stop_server
        fi
        if want pygeoapi && [[ " $PYGEOAPI_WRK_SIZES " == *" $n "* ]]; then
            log "synth-$n: pygeoapi, wrk ${WRK_DURATION}s x $WRK_CONNECTIONS connections"
            start_pygeoapi "$n"
            B paths "$WORK/boxes-synth-$n.json" "$COLLECTIONS" "" "$WORK/paths-pygeoapi-$n.txt" --limit "$LIMIT"
            r=$(timeout $((WRK_DURATION + PYGEOAPI_TIMEOUT)) wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_DURATION}s" --timeout 30s \
                -s "$HERE/ogc.lua" "http://$PG_ADDR" -- "$WORK/paths-pygeoapi-$n.txt" | grep '^RESULT')
            echo "pygeoapi synth-$n c=$WRK_CONNECTIONS $r" | tee -a "$RESULTS/wrk.txt"
            stop_pygeoapi
        fi
    done
}

step_report() {
    log "report"
    B report "$WORK" "$RESULTS" | tee "$RESULTS/report.md"
    {
        echo "date: $(date -u +%FT%TZ)"
        echo "yuqian: $(git -C "$ROOT" rev-parse --short HEAD) ($(git -C "$ROOT" log -1 --format=%s | cut -c1-100))"
        echo "rustc: $(rustc -V)"
        echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
        echo "python: $("$PY" -V)"
        "$VENV/bin/pip" freeze | grep -iE '^(pygeoapi|gunicorn|flask|werkzeug|shapely|pyyaml|pyproj)=='
        echo "wrk: $(wrk -v 2>&1 | head -1)"
    } >"$RESULTS/versions.txt"
}

echo "$(nproc) cores; load average $(loadavg); $(date -u +%FT%TZ); uptime: $(uptime)" | tee -a "$RESULTS/load.txt" >&2
for s in "${steps[@]}"; do "step_$s"; done
