#!/usr/bin/env bash
# Fault runs of the operations issue (see tools/load/faults.py): kill -9 under load, a reload
# with a corrupt file under load, 1,000 idle connections. Builds --release once.
#
#   tools/load/faults.sh [kill|corrupt|idle]
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_wrk
need_web
build
exec python3 "$LOAD_DIR/faults.py" "$@"
