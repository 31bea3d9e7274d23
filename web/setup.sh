#!/usr/bin/env bash
# Installs what the web map needs, and with --test what its browser tests need too.
#
#   web/setup.sh          npm ci in web/ (MapLibre GL JS and pmtiles, pinned by the lock)
#   web/setup.sh --test   also npm ci in tests/browser/ (playwright-core), and Debian's chromium
#                         and fonts-noto-cjk (Chinese labels) with apt-get when they are missing
#
# Non-interactive and idempotent: safe to run before every run or test.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

npm_ci() {
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
}

npm_ci "$root/web"

if [[ "${1:-}" == "--test" ]]; then
  npm_ci "$root/tests/browser"
  missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" || missing+=(fonts-noto-cjk)
  if ((${#missing[@]})); then
    echo "web/setup.sh: installing ${missing[*]} with apt-get" >&2
    sudo=()
    [[ "$(id -u)" == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
elif [[ -n "${1:-}" ]]; then
  echo "usage: web/setup.sh [--test]" >&2
  exit 2
fi
