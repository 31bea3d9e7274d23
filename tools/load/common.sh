# Sourced by the scripts of tools/load: build once, start and stop `yuqian serve` on loopback.
# Every wait here is bounded; the server started is stopped on exit.

LOAD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$LOAD_DIR/../.." && pwd)
export LOAD_DIR
OUT=${OUT:-$ROOT/tools/load/out}
mkdir -p "$OUT"
BIN=$ROOT/target/release/yuqian
SERVER_PID=
ADDR=

need_wrk() {
    command -v wrk >/dev/null && return
    echo "installing wrk (Debian's package)" >&2
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
}

build() {
    [[ ${SKIP_BUILD:-} == 1 && -x $BIN ]] && return
    (cd "$ROOT" && cargo build --release --bin yuqian)
}

need_web() {
    [[ -d $ROOT/web/node_modules ]] || "$ROOT/web/setup.sh" >&2
}

# start_server LOG [ARGS...]: starts the server on 127.0.0.1 (a free port unless ARGS has an
# --addr), sets SERVER_PID and ADDR, waits (at most 60 s) for /health/ready.
start_server() {
    local log=$1; shift
    local addr_args=(--addr 127.0.0.1:0)
    [[ " $* " == *" --addr "* ]] && addr_args=()
    RUST_LOG=${RUST_LOG:-info} NO_COLOR=1 "$BIN" serve "${addr_args[@]}" "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    ADDR=
    for _ in $(seq 600); do
        ADDR=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's|listening on http://||' || true)
        [[ -n $ADDR ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; echo "the server exited" >&2; return 1; }
        sleep 0.1
    done
    [[ -n $ADDR ]] || { echo "the server did not listen within 60 s" >&2; return 1; }
    for _ in $(seq 600); do
        curl -fs -o /dev/null "http://$ADDR/health/ready" && return 0
        sleep 0.1
    done
    echo "not ready within 60 s" >&2
    return 1
}

stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# rss_kib PID: the resident set of a process, in KiB.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# wrk_run SECONDS CONNECTIONS SCRIPT [ARGS...]: one bounded wrk run; prints its RESULT line.
# The wrk timeout is 10 s: a request slower than that counts as a socket error.
wrk_run() {
    local secs=$1 conns=$2 script=$3; shift 3
    timeout $((secs + 60)) wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency \
        -s "$LOAD_DIR/$script" "http://$ADDR" -- "$@" | grep '^RESULT'
}

# field NAME LINE: a value of a RESULT line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
