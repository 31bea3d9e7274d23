#!/usr/bin/env bash
# A throwaway PostgreSQL/PostGIS cluster on loopback, for tests and benchmarks.
#
#   tools/pg/throwaway.sh start DIR PORT   initdb into DIR/pg if it is not there yet, start it on
#                                          127.0.0.1:PORT, create the database `yuqian` with the
#                                          postgis extension (if missing); prints its URL
#   tools/pg/throwaway.sh stop DIR         stop it (fast shutdown); DIR is kept, `start` again
#                                          brings the same cluster back
#   tools/pg/throwaway.sh destroy DIR      stop it and remove DIR
#
# PostgreSQL refuses to run as root: as root, every server command runs as the `postgres` user
# (runuser); as anyone else, as that user. Authentication is `trust` and the server listens on
# 127.0.0.1 only, its socket in DIR/run. Durability is off (fsync, synchronous_commit,
# full_page_writes): nothing here outlives a test.
#
# Environment: PGBIN (default: the newest /usr/lib/postgresql/*/bin), PG_EXTRA_CONF (lines
# appended to postgresql.conf at initdb, e.g. shared_buffers for a benchmark), PG_DATABASE
# (default yuqian).
set -euo pipefail

usage() { echo "usage: $0 start DIR PORT | stop DIR | destroy DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
cmd=$1 dir=$2
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[[ -n $PGBIN && -x $PGBIN/pg_ctl ]] || { echo "no PostgreSQL server binaries (apt-get install postgresql-15)" >&2; exit 1; }
DB=${PG_DATABASE:-yuqian}
as_server() {
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
running() { [[ -f $dir/pg/postmaster.pid ]] && as_server "$PGBIN/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; }

case $cmd in
start)
    [[ $# -eq 3 ]] || usage
    port=$3
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [[ ! -f $dir/pg/PG_VERSION ]]; then
        if [[ $(id -u) == 0 ]]; then
            install -d -o postgres -g postgres "$dir/pg" "$dir/run"
        else
            install -d "$dir/pg" "$dir/run"
        fi
        as_server "$PGBIN/initdb" -D "$dir/pg" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log"
        cat >>"$dir/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
${PG_EXTRA_CONF:-}
CONF
    fi
    # The port is given at each start (a restarted cluster may get the same one again).
    if ! running; then
        as_server "$PGBIN/pg_ctl" -D "$dir/pg" -o "-p $port" -l "$dir/run/postgres.log" -w start >/dev/null
    fi
    psql=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
    if [[ -z $("${psql[@]}" -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'") ]]; then
        "${psql[@]}" -d postgres -c "CREATE DATABASE \"$DB\""
        "${psql[@]}" -d "$DB" -c 'CREATE EXTENSION IF NOT EXISTS postgis'
    fi
    echo "postgres://postgres@127.0.0.1:$port/$DB"
    ;;
stop)
    if running; then as_server "$PGBIN/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null; fi
    ;;
destroy)
    if running; then as_server "$PGBIN/pg_ctl" -D "$dir/pg" -m immediate -w stop >/dev/null; fi
    rm -rf "$dir"
    ;;
*) usage ;;
esac
