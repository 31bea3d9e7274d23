#!/usr/bin/env bash
# Vector tile benchmarks of issue 11 (BENCHMARKS.md, "Vector tiles (issue 11)"): ours against
# PostGIS ST_AsMVT and martin's GeoJSON source, on the shipped data and on the synthetic sets.
#
#   tools/tiles_bench/run.sh [STEP...]      steps: data pg tiles pgmartin independence fidelity cached memory
#                                           (all of them, in that order, by default)
#
# Environment:
#   SIZES="20000 200000 1000000"   synthetic set sizes (benches/common/synth.rs, written as GeoJSON
#                                  by `load_measure write-synth`: 40 % points, 35 % lines, 25 % polygons)
#   PER_ZOOM=100                   tiles per zoom (z6, z8, z10, z12, z14) for ours and PostGIS
#   MARTIN_PER_ZOOM=20             the first tiles per zoom of the same list for martin
#   MARTIN=/path/to/martin         martin's binary (never built here); martin is skipped if unset
#   PEERS="ours postgis martin"    which peers the tiles step times (step pgmartin: PostGIS
#                                  through martin's table sources, i.e. over HTTP)
#   WRK_DURATION=20 WRK_CONNECTIONS=64   the cached-throughput runs (the floor, all tiles, z14)
#   CACHE_MB=1024                  our tile cache in the cached runs (holds the whole list)
#   FIDELITY_PER_ZOOM=30           the first tiles per zoom of the list in the z6/z8 fidelity check
#   MARTIN_MEMORY_PER_ZOOM=4       martin's tiles per zoom in each round of the memory run
#   MEMORY_ROUNDS=5                rounds of the tile list in the resident-memory run
#   DATA=/tmp/yuqian-tiles-data    where the data folders go (kept; regenerated only if missing)
#   PGPORT_BENCH=55433             the throwaway PostgreSQL cluster's port (127.0.0.1 only)
#   OUT=tools/tiles_bench/out      result files (JSON per run, text logs)
#
# Needs root for apt (postgresql, postgresql-15-postgis-3, wrk) and to run PostgreSQL as `postgres`.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export OUT=${OUT:-$HERE/out}
source "$HERE/../load/common.sh"
SIZES=${SIZES:-"20000 200000 1000000"}
PER_ZOOM=${PER_ZOOM:-100}
MARTIN_PER_ZOOM=${MARTIN_PER_ZOOM:-20}
MARTIN=${MARTIN:-}
PEERS=${PEERS:-"ours postgis martin"}
want() { [[ " $PEERS " == *" $1 "* ]]; }
WRK_DURATION=${WRK_DURATION:-20}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
MEMORY_ROUNDS=${MEMORY_ROUNDS:-5}
FIDELITY_PER_ZOOM=${FIDELITY_PER_ZOOM:-30}
CACHE_MB=${CACHE_MB:-1024}
MARTIN_MEMORY_PER_ZOOM=${MARTIN_MEMORY_PER_ZOOM:-4}
DATA=${DATA:-/tmp/yuqian-tiles-data}
PORT=${PGPORT_BENCH:-55433}
PG=$DATA/pg
DSN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
SYNTH_LAYERS=synthetic_points,synthetic_lines,synthetic_polygons
SHIPPED_LAYERS=${SHIPPED_LAYERS:-railways,highways,rivers,counties,towns,railway_stations}
INDEP_LAYER=${INDEP_LAYER:-railways}
EX=$ROOT/target/release/examples/tile_bench
mkdir -p "$OUT" "$DATA"
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(data pg tiles pgmartin independence fidelity cached memory)
log() { printf '\n== %s (load average %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)" >&2; }

PY=$HERE/.venv/bin/python
if [[ ! -x $PY ]]; then
    python3 -m venv "$HERE/.venv"
    "$HERE/.venv/bin/pip" install -q -r "$HERE/requirements.txt"
fi
B() { "$PY" "$HERE/bench.py" "$@"; }

have_martin() { [[ -n $MARTIN && -x $MARTIN ]]; }
have_martin || echo "MARTIN is not set to martin's binary: martin is skipped" >&2

# ---- the peers -------------------------------------------------------------------------------
PGBIN=
pg_start() {
    if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-15-postgis-3 >/dev/null
    fi
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    # tools/pg/throwaway.sh: initdb (once) and pg_ctl as `postgres` in $DATA/pg, loopback only.
    PGBIN=$PGBIN PG_DATABASE=postgres PG_EXTRA_CONF="shared_buffers = 2GB
work_mem = 64MB
maintenance_work_mem = 1GB
max_parallel_workers_per_gather = 0
max_parallel_maintenance_workers = 0" "$ROOT/tools/pg/throwaway.sh" start "$DATA" "$PORT" >/dev/null
    "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -c 'CREATE EXTENSION IF NOT EXISTS postgis' postgres
}
pg_stop() {
    [[ -n $PGBIN ]] && "$ROOT/tools/pg/throwaway.sh" stop "$DATA" || true
}

MARTIN_PID=
MARTIN_ADDR=
# start_martin LOG FILE...: martin's GeoJSON source on the files, its tile cache off; sets
# MARTIN_PID, MARTIN_ADDR and MARTIN_READY_S (start to the catalogue listing every file).
start_martin() {
    local log=$1; shift
    local port
    port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    MARTIN_ADDR=127.0.0.1:$port
    local t0; t0=$(date +%s.%N)
    local cache=(--cache-size 0)
    [[ $1 == --config ]] && cache=()
    "$MARTIN" --listen-addresses "$MARTIN_ADDR" "${cache[@]}" "$@" >"$log" 2>&1 &
    MARTIN_PID=$!
    local want=${MARTIN_SOURCES:-$#} n
    for _ in $(seq 3000); do
        kill -0 "$MARTIN_PID" 2>/dev/null || { cat "$log" >&2; echo "martin exited" >&2; return 1; }
        if n=$(curl -fs "http://$MARTIN_ADDR/catalog" 2>/dev/null | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["tiles"]))' 2>/dev/null) && [[ $n -ge $want ]]; then
            MARTIN_READY_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
            return 0
        fi
        sleep 0.1
    done
    echo "martin not ready within 300 s" >&2; return 1
}
stop_martin() {
    [[ -n $MARTIN_PID ]] || return 0
    kill "$MARTIN_PID" 2>/dev/null || true
    wait "$MARTIN_PID" 2>/dev/null || true
    MARTIN_PID=
}
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# serve_ours NAME DIR [ARGS...]: our server on DIR; sets READY_S (start to /health/ready).
serve_ours() {
    local name=$1 dir=$2; shift 2
    local t0; t0=$(date +%s.%N)
    start_server "$OUT/server-$name.log" --data "$dir" --web "$ROOT/web" --db "$DATA/loops-$name.sqlite" "$@"
    READY_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
}
trap 'stop_server; stop_martin; pg_stop' EXIT

files_of() { # DIR LAYERS: the GeoJSON files of the layers, from layers.toml
    "$PY" -c 'import sys, tomllib; c = tomllib.load(open(sys.argv[1] + "/layers.toml", "rb")); f = {l["id"]: l["file"] for l in c["layers"]}; print("\n".join(sys.argv[1] + "/" + f[i] for i in sys.argv[2].split(",")))' "$1" "$2"
}

# martin_pg_config FILE SCHEMA LAYERS: martin's PostgreSQL table sources over SCHEMA's tables
# (the same tables bench.py pg queries), with the properties our tiles carry, cache off.
martin_pg_config() {
    local file=$1 schema=$2 layers=$3
    {
        echo "cache_size_mb: 0"
        echo "postgres:"
        echo "  connection_string: 'postgres://postgres@127.0.0.1:$PORT/postgres'"
        echo "  auto_publish: false"
        echo "  tables:"
        for l in ${layers//,/ }; do
            printf '    %s:\n      schema: %s\n      table: %s\n      srid: 3857\n' "$l" "$schema" "$l"
            printf '      geometry_column: geom\n      geometry_type: GEOMETRY\n      extent: 4096\n'
            printf '      buffer: 64\n      clip_geom: true\n      properties:\n'
            for p in id name_zh name_en status accuracy provinces; do printf '        %s: text\n' "$p"; done
        done
    } >"$file"
}

# PostGIS through a thin HTTP server: martin's table sources (one ST_AsMVT query per request),
# on the same tile lists with the same client as ours over HTTP.
step_pgmartin() {
    have_martin || { echo "no martin: the PostGIS-over-HTTP peer is skipped" >&2; return 0; }
    pg_start
    for n in $SIZES; do
        log "synth-$n: PostGIS through martin's table sources (HTTP), cache off"
        martin_pg_config "$OUT/martin-pg-$n.yaml" "s$n" "$SYNTH_LAYERS"
        MARTIN_SOURCES=3 start_martin "$OUT/martin-pg-$n.log" --config "$OUT/martin-pg-$n.yaml"
        B http "http://$MARTIN_ADDR/$SYNTH_LAYERS/{z}/{x}/{y}" "$DATA/tiles-synth-$n.txt" "$OUT/pgmartin-synth-$n.json"
        stop_martin
    done
}

# ---- steps ----------------------------------------------------------------------------------
step_data() {
    log "build (release): yuqian, examples tile_bench and load_measure"
    (cd "$ROOT" && cargo build --quiet --release --bin yuqian --example tile_bench --example load_measure)
    for n in $SIZES; do
        [[ -f $DATA/synth-$n/layers.toml ]] && continue
        log "writing the synthetic set of $n features"
        "$ROOT/target/release/examples/load_measure" write-synth "$DATA/synth-$n" "$n"
    done
    # The shipped data with the 1M synthetic layers added (the independence check).
    local big; big=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
    if [[ ! -f $DATA/shipped+$big/layers.toml ]]; then
        mkdir -p "$DATA/shipped+$big"
        cp "$ROOT"/geodata/* "$DATA/shipped+$big/"
        cat "$DATA/synth-$big/layers.toml" >>"$DATA/shipped+$big/layers.toml"
        ln -sf "$DATA/synth-$big"/*.geojson "$DATA/shipped+$big/"
    fi
    for n in $SIZES; do
        [[ -s $DATA/tiles-synth-$n.txt ]] || "$EX" list "$DATA/synth-$n" "$SYNTH_LAYERS" "$PER_ZOOM" >"$DATA/tiles-synth-$n.txt"
    done
    [[ -s $DATA/tiles-shipped.txt ]] || "$EX" list "$ROOT/geodata" "$SHIPPED_LAYERS" "$PER_ZOOM" >"$DATA/tiles-shipped.txt"
    [[ -s $DATA/tiles-indep.txt ]] || "$EX" list "$ROOT/geodata" "$INDEP_LAYER" "$PER_ZOOM" >"$DATA/tiles-indep.txt"
    wc -l "$DATA"/tiles-*.txt >&2
}

step_pg() {
    log "PostGIS: loading the same GeoJSON files (3857 geometry, GiST index)"
    pg_start
    "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -Atc 'SELECT postgis_full_version()' postgres >&2
    B pgload "$DSN" shipped "$ROOT/geodata" "$SHIPPED_LAYERS"
    for n in $SIZES; do B pgload "$DSN" "s$n" "$DATA/synth-$n" "$SYNTH_LAYERS"; done
}

step_tiles() {
    pg_start
    run_set shipped "$ROOT/geodata" "$SHIPPED_LAYERS" "$DATA/tiles-shipped.txt" shipped
    for n in $SIZES; do
        run_set "synth-$n" "$DATA/synth-$n" "$SYNTH_LAYERS" "$DATA/tiles-synth-$n.txt" "s$n"
    done
}

# run_set NAME DIR LAYERS TILES SCHEMA: uncached tiles of ours (in-process, then HTTP with the
# tile cache off), of PostGIS and of martin, on the same list.
run_set() {
    local name=$1 dir=$2 layers=$3 tiles=$4 schema=$5
    if want ours; then
        log "$name: ours in-process (render, no cache)"
        "$EX" time "$dir" "$layers" "$tiles" | tee "$OUT/inproc-$name.txt"
        log "$name: ours over HTTP, --tile-cache-mb 0"
        serve_ours "$name" "$dir" --tile-cache-mb 0
        echo "ours $name: ready in $READY_S s, VmHWM $(hwm_kib "$SERVER_PID") KiB, VmRSS $(rss_kib "$SERVER_PID") KiB" | tee -a "$OUT/ready.txt"
        B http "http://$ADDR/tiles/$layers/{z}/{x}/{y}.mvt" "$tiles" "$OUT/ours-$name.json"
        echo "ours $name: after the tiles VmHWM $(hwm_kib "$SERVER_PID") KiB, VmRSS $(rss_kib "$SERVER_PID") KiB" | tee -a "$OUT/ready.txt"
        stop_server
    fi
    if want postgis; then
        log "$name: PostGIS ST_AsMVT, one prepared statement per tile"
        B pg "$DSN" "$schema" "$layers" "$tiles" "$OUT/postgis-$name.json"
    fi
    if want martin && have_martin; then
        log "$name: martin GeoJSON source, cache off, first $MARTIN_PER_ZOOM tiles per zoom"
        mapfile -t files < <(files_of "$dir" "$layers")
        start_martin "$OUT/martin-$name.log" "${files[@]}"
        echo "martin $name: ready in $MARTIN_READY_S s, VmHWM $(hwm_kib "$MARTIN_PID") KiB, VmRSS $(rss_kib "$MARTIN_PID") KiB" | tee -a "$OUT/ready.txt"
        B http "http://$MARTIN_ADDR/$layers/{z}/{x}/{y}" "$tiles" "$OUT/martin-$name.json" --per-zoom "$MARTIN_PER_ZOOM"
        echo "martin $name: after the tiles VmHWM $(hwm_kib "$MARTIN_PID") KiB, VmRSS $(rss_kib "$MARTIN_PID") KiB" | tee -a "$OUT/ready.txt"
        stop_martin
    fi
}

step_independence() {
    local big; big=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
    log "independence: $INDEP_LAYER tiles, shipped data alone, then with $big synthetic features in other layers"
    for v in shipped "shipped+$big"; do
        local dir=$ROOT/geodata
        [[ $v == shipped ]] || dir=$DATA/$v
        "$EX" time "$dir" "$INDEP_LAYER" "$DATA/tiles-indep.txt" 5 | tee "$OUT/indep-inproc-$v.txt"
        serve_ours "indep-$v" "$dir" --tile-cache-mb 0
        B http "http://$ADDR/tiles/$INDEP_LAYER/{z}/{x}/{y}.mvt" "$DATA/tiles-indep.txt" "$OUT/indep-ours-$v.json"
        stop_server
    done
}

step_fidelity() {
    local big; big=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
    pg_start
    serve_ours fidelity "$DATA/synth-$big"
    for set in "synth-$big s$big $SYNTH_LAYERS" "shipped shipped $SHIPPED_LAYERS"; do
        read -r name schema layers <<<"$set"
        log "fidelity: $name z6 and z8, ours against PostGIS's unsimplified tiles at 256 px"
        [[ $name == shipped ]] && { stop_server; serve_ours fidelity-shipped "$ROOT/geodata"; }
        B fidelity "http://$ADDR/tiles/$layers/{z}/{x}/{y}.mvt" "$DSN" "$schema" "$layers" \
            "$DATA/tiles-$name.txt" "$OUT/fidelity-$name.json" --per-zoom "$FIDELITY_PER_ZOOM" | tee "$OUT/fidelity-$name.txt"
    done
    stop_server
}

step_cached() {
    local big; big=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
    local base="/tiles/$SYNTH_LAYERS"
    need_wrk
    # A cache that holds the whole list (its tiles add up to ~145 MB on the 1M set; with the
    # shipped 64 MB the z6 tiles evict each other and the run measures cutting, not the cache).
    serve_ours cached "$DATA/synth-$big" --tile-cache-mb "$CACHE_MB"
    sed "s|^\([0-9]*\) \([0-9]*\) \([0-9]*\)$|$base/\1/\2/\3.mvt|" "$DATA/tiles-synth-$big.txt" >"$OUT/cached-paths.txt"
    grep "^$base/14/" "$OUT/cached-paths.txt" >"$OUT/cached-paths-z14.txt"
    echo /health/live >"$OUT/floor-paths.txt"
    log "cached: warming the cache with every tile of the list"
    B http "http://$ADDR$base/{z}/{x}/{y}.mvt" "$DATA/tiles-synth-$big.txt" "$OUT/cached-warm.json" >/dev/null
    B http "http://$ADDR$base/{z}/{x}/{y}.mvt" "$DATA/tiles-synth-$big.txt" "$OUT/cached-sequential.json"
    echo "/health/live body: $(curl -s "http://$ADDR/health/live" | wc -c) bytes" | tee "$OUT/cached.txt"
    for what in floor tiles tiles-z14; do
        local paths=$OUT/cached-paths.txt
        [[ $what == floor ]] && paths=$OUT/floor-paths.txt
        [[ $what == tiles-z14 ]] && paths=$OUT/cached-paths-z14.txt
        log "wrk ${WRK_DURATION}s x $WRK_CONNECTIONS connections: $what"
        r=$(LOAD_DIR=$ROOT/tools/load timeout $((WRK_DURATION + 60)) wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_DURATION}s" \
            --timeout 10s --latency -s "$HERE/tiles.lua" "http://$ADDR" -- "$paths" | grep '^RESULT')
        echo "$what $r load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/cached.txt"
    done
    echo "ours after the cached runs: VmRSS $(rss_kib "$SERVER_PID") KiB" | tee -a "$OUT/cached.txt"
    stop_server
}

step_memory() {
    local big; big=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
    local tiles=$DATA/tiles-synth-$big.txt
    log "memory: resident set over $MEMORY_ROUNDS rounds of the uncached tile list, $big set"
    if want ours; then
        serve_ours memory "$DATA/synth-$big" --tile-cache-mb 0
        {
            echo "ours ready in $READY_S s: VmRSS $(rss_kib "$SERVER_PID") KiB VmHWM $(hwm_kib "$SERVER_PID") KiB"
            for r in $(seq "$MEMORY_ROUNDS"); do
                B http "http://$ADDR/tiles/$SYNTH_LAYERS/{z}/{x}/{y}.mvt" "$tiles" "$OUT/memory-ours-$r.json" >/dev/null
                echo "ours after round $r ($(wc -l <"$tiles") tiles): VmRSS $(rss_kib "$SERVER_PID") KiB VmHWM $(hwm_kib "$SERVER_PID") KiB"
            done
            # The server gives freed memory back to the system every 30 s (malloc_trim).
            sleep 35
            echo "ours 35 s after the last round (one trim later): VmRSS $(rss_kib "$SERVER_PID") KiB"
        } | tee "$OUT/memory.txt"
        stop_server
    fi
    if want martin && have_martin; then
        mapfile -t files < <(files_of "$DATA/synth-$big" "$SYNTH_LAYERS")
        start_martin "$OUT/martin-memory.log" "${files[@]}"
        {
            echo "martin ready in $MARTIN_READY_S s: VmRSS $(rss_kib "$MARTIN_PID") KiB VmHWM $(hwm_kib "$MARTIN_PID") KiB"
            for r in $(seq "$MEMORY_ROUNDS"); do
                B http "http://$MARTIN_ADDR/$SYNTH_LAYERS/{z}/{x}/{y}" "$tiles" "$OUT/memory-martin-$r.json" --per-zoom "$MARTIN_MEMORY_PER_ZOOM" >/dev/null
                echo "martin after round $r ($((5 * MARTIN_MEMORY_PER_ZOOM)) tiles): VmRSS $(rss_kib "$MARTIN_PID") KiB VmHWM $(hwm_kib "$MARTIN_PID") KiB"
            done
        } | tee -a "$OUT/memory.txt"
        stop_martin
    fi
}

echo "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)" | tee -a "$OUT/ready.txt" >&2
for s in "${steps[@]}"; do "step_$s"; done
