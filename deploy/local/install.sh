#!/usr/bin/env bash
# Installs what IJlucht needs on Debian 12 or 13, idempotently; fast when everything is there.
#   install.sh          system packages (as root) and the Python environment
#   install.sh python   only the Python environment (.venv)
#   install.sh bench    what `make bench` adds: wrk, the HTTP load generator of the API benchmark
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV=$ROOT/.venv
log() { printf '[install] %s\n' "$*" >&2; }

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

system_packages() {
  # Python tooling, the browser for dashboard tests; services.sh adds PostgreSQL, TimescaleDB and Mosquitto.
  local want=(python3 python3-venv python3-dev gcc make procps chromium chromium-driver ca-certificates) missing=() p
  for p in "${want[@]}"; do have_pkg "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "[install] missing Debian packages (install as root): ${missing[*]}" >&2; exit 1; }
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  bash "$ROOT/deploy/local/services.sh" install
}

python_env() {
  local py=${IJLUCHT_PYTHON:-python3}
  "$py" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' \
    || { echo "[install] Python 3.11 or newer is needed" >&2; exit 1; }
  if [ ! -x "$VENV/bin/python" ]; then
    "$py" -m venv "$VENV" 2>/dev/null || {
      [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      "$py" -m venv "$VENV"
    }
  fi
  log "installing the Python environment in .venv"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e "$ROOT[dev]"
}

bench_packages() {
  have_pkg wrk && return 0
  [ "$(id -u)" = 0 ] || { log "wrk is missing: the API benchmark falls back to a slower Python client"; return 0; }
  log "installing wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
}

case "${1:-all}" in
  python) python_env ;;
  bench) bench_packages ;;
  system) system_packages ;;
  all) system_packages; [ -x "$VENV/bin/ijlucht" ] || python_env ;;
  *) echo "usage: $0 [all|system|python|bench]" >&2; exit 2 ;;
esac
